import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordingClient } from './helpers.js';
import { createSchema, makeAlert, startHistoryHarness, VIEWER, type HistoryHarness, type TestSchema } from './historyFixtures.js';

describe('/v1/live replay from the history when the stream was trimmed', () => {
  let schema: TestSchema;
  let h: HistoryHarness;
  const ids: string[] = [];
  const cameras: string[] = [];

  beforeAll(async () => {
    schema = await createSchema();
    h = await startHistoryHarness(schema.url);
    for (let i = 0; i < 12; i++) {
      const cameraId = i % 3 === 0 ? 'cam2' : 'cam1';
      cameras.push(cameraId);
      ids.push(await h.emit('open', makeAlert(cameraId, new Date(Date.now() - 60_000 + i * 1000))));
    }
    await h.until('/v1/alerts?limit=500', (j) => j.alerts?.length === 12);
    // Workers append with MAXLEN; here the stream keeps only the last 4 events.
    await h.redis.xtrim(h.streamKey, 'MAXLEN', 4);
    expect(await h.redis.xlen(h.streamKey)).toBe(4);
  });
  afterAll(async () => {
    await h?.stop();
    await schema?.drop();
  });

  const live = () => RecordingClient.connect(`${h.gateway.url.replace(/^http/, 'ws')}/v1/live?token=${VIEWER}`);

  it('replays the trimmed part from PostgreSQL, then the stream, then goes on live: in order, each event once', async () => {
    const client = await live();
    try {
      client.send({ type: 'subscribe', since: ids[1] });
      const subscribed = await client.waitFor((m) => m.type === 'subscribed');
      expect(subscribed.replayed).toBe(10);
      const next = await h.emit('close', { ...makeAlert('cam1', new Date()), state: 'closed', endedAt: new Date().toISOString() });
      await client.waitFor((m) => m.type === 'alert' && m.eventId === next);
      expect(client.alerts().map((m) => m.eventId)).toEqual([...ids.slice(2), next]);
      const first = client.alerts()[0]!;
      expect(first).toMatchObject({ type: 'alert', event: 'open', alert: { cameraId: cameras[2] } });
    } finally {
      client.close();
    }
  });

  it('replays from the history with a camera filter, and from id 0 everything', async () => {
    const client = await live();
    try {
      client.send({ type: 'subscribe', cameras: ['cam2'], since: '0-0' });
      const subscribed = await client.waitFor((m) => m.type === 'subscribed');
      const cam2 = ids.filter((_, i) => cameras[i] === 'cam2');
      expect(subscribed.replayed).toBe(cam2.length);
      expect(client.alerts().map((m) => m.eventId)).toEqual(cam2);
    } finally {
      client.close();
    }
  });

  it('replays only from the stream when `since` is still in it', async () => {
    const client = await live();
    try {
      client.send({ type: 'subscribe', since: ids[9] });
      const subscribed = await client.waitFor((m) => m.type === 'subscribed');
      expect(
        client
          .alerts()
          .map((m) => m.eventId)
          .slice(0, 2),
      ).toEqual(ids.slice(10));
      expect(subscribed.replayed).toBeGreaterThanOrEqual(2);
    } finally {
      client.close();
    }
  });
});
