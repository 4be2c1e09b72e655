import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { cameraSchema, redisKeys, type AlertEvent } from '@vigil/core';
import { CameraOfflineAlerts } from '../src/cameraOffline.js';

const REDIS_URL = process.env.VIGIL_TEST_REDIS ?? 'redis://127.0.0.1:6379';
const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
const namespaces: string[] = [];

afterAll(async () => {
  for (const ns of namespaces) {
    const keys = await redis.keys(`${ns}:*`);
    if (keys.length) await redis.del(...keys);
  }
  await redis.quit();
});

function setup(offlineSeconds: number) {
  const ns = `vigil-test-${randomUUID()}`;
  namespaces.push(ns);
  const keys = redisKeys(ns);
  const camera = cameraSchema.parse({ id: 'cam1', url: 'rtsp://127.0.0.1:1/cam', offlineSeconds });
  const make = () => new CameraOfflineAlerts(redis, keys, camera, () => ({ frame: { width: 320, height: 176 }, modelVersion: 'v1' }));
  const events = async (): Promise<AlertEvent[]> =>
    (await redis.xrange(keys.alertEvents, '-', '+')).map(([id, fields]) => ({ ...(JSON.parse(fields[1]!) as Omit<AlertEvent, 'eventId'>), eventId: id }));
  return { keys, make, events };
}

/** Polls until `check` holds: the alerts are written on a timer. */
async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`never: ${what}`);
}

describe('camera-offline alerts', () => {
  it('open after offlineSeconds without frames, with the reason, and close once frames return', async () => {
    const { make, events, keys } = setup(0.2);
    const health = make();
    const darkAt = Date.now();
    health.dark('stalled: no frame for 10.0 s', darkAt);
    await until(async () => (await events()).length === 1, 'the open');
    const [open] = await events();
    expect(open).toMatchObject({ type: 'alert', event: 'open', alert: { cameraId: 'cam1', kind: 'camera-offline', state: 'open', reason: 'stalled: no frame for 10.0 s', modelVersion: 'v1' } });
    expect(open!.alert.startedAt).toBe(new Date(darkAt).toISOString());
    expect(open!.alert.regions).toEqual([{ x: 0, y: 0, width: 1, height: 1, score: 1 }]);
    // Still dark: more reasons, no second alert.
    health.dark('connection refused');
    health.live(Date.now());
    await until(async () => (await events()).length === 2, 'the close');
    const [, close] = await events();
    expect(close).toMatchObject({ event: 'close', alert: { id: open!.alert.id, kind: 'camera-offline', state: 'closed' } });
    expect(Date.parse(close!.alert.endedAt!)).toBeGreaterThanOrEqual(Date.parse(open!.alert.updatedAt));
    expect(await redis.exists(keys.cameraOffline('cam1'))).toBe(0);
    await health.stop();
  });

  it('opens nothing when frames return within offlineSeconds', async () => {
    const { make, events } = setup(0.3);
    const health = make();
    health.dark('stream ended');
    health.live();
    await new Promise((r) => setTimeout(r, 500));
    expect(await events()).toEqual([]);
    await health.stop();
  });

  it('is opened once by two ingest processes, and closed by a later one after a restart', async () => {
    const { make, events } = setup(0.1);
    const [a, b] = [make(), make()];
    a.dark('refused');
    b.dark('refused');
    await until(async () => (await events()).length >= 1, 'an open');
    await new Promise((r) => setTimeout(r, 300));
    expect((await events()).map((e) => e.event)).toEqual(['open']);
    await Promise.all([a.stop(), b.stop()]);
    // A new process (ingest restarted while the camera was dark) sees the camera live: it closes the alert.
    const c = make();
    c.live();
    c.live();
    await until(async () => (await events()).length === 2, 'the close');
    await new Promise((r) => setTimeout(r, 200));
    expect((await events()).map((e) => e.event)).toEqual(['open', 'close']);
    await c.stop();
  });
});
