import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, RecordingClient, refusedStatus, sleep, startHarness, VIEWER_TOKEN, type Harness } from './helpers.js';

describe('/v1/live WebSocket', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.stop();
  });

  it('refuses an upgrade without a token with HTTP 401', async () => {
    expect(await refusedStatus(h.wsUrl)).toBe(401);
  });

  it('refuses an upgrade with an unknown token with HTTP 401', async () => {
    expect(await refusedStatus(`${h.wsUrl}?token=not-a-real-token`)).toBe(401);
    expect(await refusedStatus(h.wsUrl, { headers: { authorization: 'Bearer not-a-real-token' } })).toBe(401);
  });

  it('refuses upgrades on other paths with 404', async () => {
    expect(await refusedStatus(h.wsUrl.replace('/v1/live', '/v1/other') + `?token=${VIEWER_TOKEN}`)).toBe(404);
  });

  it('accepts ?token= and greets with the role and server time', async () => {
    const c = await RecordingClient.connect(`${h.wsUrl}?token=${VIEWER_TOKEN}`);
    const hello = c.messages[0]!;
    expect(hello).toMatchObject({ type: 'hello', role: 'viewer' });
    expect(Date.parse(hello.serverTime as string)).toBeGreaterThan(0);
    c.close();
  });

  it('accepts an Authorization: Bearer header', async () => {
    const c = await RecordingClient.connect(h.wsUrl, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(c.messages[0]).toMatchObject({ type: 'hello', role: 'admin' });
    c.close();
  });

  it('pushes an alert appended to the stream, with its entry id as eventId', async () => {
    const c = await RecordingClient.connect(`${h.wsUrl}?token=${VIEWER_TOKEN}`);
    const id = await h.addAlert('cam1', 'open');
    const msg = await c.waitFor((m) => m.type === 'alert' && m.eventId === id);
    expect(msg).toMatchObject({ type: 'alert', event: 'open', eventId: id, alert: { cameraId: 'cam1', score: 1.7 } });
    c.close();
  });

  it('sends only the subscribed cameras', async () => {
    const c = await RecordingClient.connect(`${h.wsUrl}?token=${VIEWER_TOKEN}`);
    c.send({ type: 'subscribe', cameras: ['cam2'] });
    await c.waitFor((m) => m.type === 'subscribed');
    const skipped = await h.addAlert('cam1');
    const wanted = await h.addAlert('cam2', 'update');
    await c.waitFor((m) => m.eventId === wanted);
    const last = await h.addAlert('cam2', 'close');
    await c.waitFor((m) => m.eventId === last);
    expect(c.alerts().map((m) => m.eventId)).toEqual([wanted, last]);
    expect(c.alerts().some((m) => m.eventId === skipped)).toBe(false);
    c.close();
  });

  it('replays events after `since`, then continues live, in order and without duplicates', async () => {
    const before = await h.addAlert('cam1', 'open');
    const missed = [await h.addAlert('cam1', 'update'), await h.addAlert('cam2', 'open'), await h.addAlert('cam1', 'close')];
    const c = await RecordingClient.connect(`${h.wsUrl}?token=${VIEWER_TOKEN}`);
    c.send({ type: 'subscribe', since: before });
    // Appended while the replay may still be running: arrives via both replay and live, must be sent once.
    const overlapping = await h.addAlert('cam2', 'update');
    const subscribed = await c.waitFor((m) => m.type === 'subscribed');
    expect(subscribed.replayed).toBeGreaterThanOrEqual(3);
    const live = await h.addAlert('cam1', 'open');
    await c.waitFor((m) => m.eventId === live);
    await sleep(100);
    expect(c.alerts().map((m) => m.eventId)).toEqual([...missed, overlapping, live]);
    c.close();
  });

  it('replays only the subscribed cameras', async () => {
    const before = await h.addAlert('cam1');
    const cam2 = await h.addAlert('cam2');
    await h.addAlert('cam1');
    const c = await RecordingClient.connect(`${h.wsUrl}?token=${VIEWER_TOKEN}`);
    c.send({ type: 'subscribe', cameras: ['cam2'], since: before });
    await c.waitFor((m) => m.type === 'subscribed');
    expect(c.alerts().map((m) => m.eventId)).toEqual([cam2]);
    c.close();
  });

  it('answers invalid JSON and unknown messages with an error and keeps the connection', async () => {
    const c = await RecordingClient.connect(`${h.wsUrl}?token=${VIEWER_TOKEN}`);
    c.send('{not json');
    expect(await c.waitFor((m) => m.type === 'error')).toMatchObject({ message: expect.stringMatching(/JSON/) });
    c.send({ type: 'dance' });
    await c.waitFor((m) => m.type === 'error' && /unknown message type/.test(m.message as string));
    c.send({ type: 'subscribe', since: 'yesterday' });
    await c.waitFor((m) => m.type === 'error' && /since/.test(m.message as string));
    c.send({ type: 'subscribe', cameras: 'cam1' });
    await c.waitFor((m) => m.type === 'error' && /cameras/.test(m.message as string));
    // A camera the gateway does not know is named, not answered `subscribed`.
    c.send({ type: 'subscribe', cameras: ['cam1', 'cam9'] });
    const unknown = await c.waitFor((m) => m.type === 'error' && /unknown camera/.test(m.message as string));
    expect(unknown.message).toMatch(/"cam9"; cameras are cam1, cam2/);
    expect(c.messages.some((m) => m.type === 'subscribed')).toBe(false);
    const id = await h.addAlert('cam1');
    await c.waitFor((m) => m.eventId === id);
    c.close();
  });
});

describe('/v1/live heartbeats', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ heartbeatSeconds: 0.2 });
  });
  afterAll(async () => {
    await h.stop();
  });

  it('sends heartbeat messages and keeps a client that answers pings', async () => {
    const c = await RecordingClient.connect(`${h.wsUrl}?token=${VIEWER_TOKEN}`);
    await sleep(700);
    expect(c.messages.filter((m) => m.type === 'heartbeat').length).toBeGreaterThanOrEqual(2);
    expect(c.ws.readyState).toBe(c.ws.OPEN);
    c.close();
  });

  it('terminates a client that does not answer pings', async () => {
    const c = await RecordingClient.connect(`${h.wsUrl}?token=${VIEWER_TOKEN}`, { autoPong: false });
    const closed = new Promise<void>((resolve) => c.ws.once('close', () => resolve()));
    await closed;
    expect(c.ws.readyState).toBe(c.ws.CLOSED);
  });

  it('pings /v1/preview viewers too: keeps one that answers, drops one that does not (a paused or vanished viewer)', async () => {
    const previewUrl = h.wsUrl.replace('/v1/live', '/v1/preview');
    const answering = await RecordingClient.connect(`${previewUrl}?token=${VIEWER_TOKEN}`);
    let pings = 0;
    answering.ws.on('ping', () => pings++);
    const silent = await RecordingClient.connect(`${previewUrl}?token=${VIEWER_TOKEN}`, { autoPong: false });
    await new Promise<void>((resolve) => silent.ws.once('close', () => resolve()));
    // By the time the silent one is dropped the answering one has been pinged and kept.
    for (let i = 0; i < 100 && pings < 3; i++) await new Promise((r) => setTimeout(r, 50));
    expect(pings).toBeGreaterThanOrEqual(3);
    expect(answering.ws.readyState).toBe(answering.ws.OPEN);
    answering.close();
  });
});
