import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { configSchema, redisKeys } from '@vigil/core';
import { UnscoredCameras } from '../src/routes/health.js';

const REDIS_URL = process.env.VIGIL_TEST_REDIS ?? 'redis://127.0.0.1:6379';
const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
const ns = `vigil-test-${randomUUID()}`;
const keys = redisKeys(ns);
const config = configSchema.parse({
  namespace: ns,
  gateway: { tokens: [{ token: 'viewer-token', role: 'viewer' }], unscoredSeconds: 30 },
  cameras: ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id, url: `rtsp://127.0.0.1:1/${id}` })),
});
const T = 1_800_000_000_000;

afterAll(async () => {
  const left = await redis.keys(`${ns}:*`);
  if (left.length) await redis.del(...left);
  await redis.quit();
});

describe('/healthz: cameras whose frames nobody scores', () => {
  it('names a camera that delivers frames none of which was scored for unscoredSeconds', async () => {
    const status = (id: string, fields: Record<string, number>) => redis.hset(keys.cameraStatus(id), Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, String(v)])));
    await status('a', { lastFrameAt: T - 200, lastScoredAt: T - 400 }); // scored a moment ago
    await status('b', { lastFrameAt: T - 200, lastScoredAt: T - 45_000 }); // frames flow, last scored 45 s ago
    await status('c', { lastFrameAt: T - 60_000, lastScoredAt: T - 61_000 }); // dark camera: not this check's business
    const watch = new UnscoredCameras(redis, config);
    expect(await watch.check(T)).toEqual(['b']);
  });

  it('counts a camera that was never scored (Redis lost its counters) from when it was first seen so', async () => {
    await redis.hset(keys.cameraStatus('d'), 'lastFrameAt', String(T - 100));
    const watch = new UnscoredCameras(redis, config);
    expect(await watch.check(T)).not.toContain('d');
    await redis.hset(keys.cameraStatus('d'), 'lastFrameAt', String(T + 29_900));
    expect(await watch.check(T + 29_999)).not.toContain('d');
    await redis.hset(keys.cameraStatus('d'), 'lastFrameAt', String(T + 30_000));
    expect(await watch.check(T + 30_000)).toContain('d');
    // A worker scores again: healthy.
    await redis.hset(keys.cameraStatus('d'), 'lastScoredAt', String(T + 30_100), 'lastFrameAt', String(T + 30_100));
    expect(await watch.check(T + 30_200)).not.toContain('d');
  });

  it('does not count a camera still learning (its first fit runs on a worker), unless that fit failed for good', async () => {
    await redis.hset(keys.cameraStatus('e'), { state: 'learning', learnState: 'fitting', lastFrameAt: String(T - 100) });
    const watch = new UnscoredCameras(redis, config);
    expect(await watch.check(T - 50_000)).not.toContain('e');
    expect(await watch.check(T)).not.toContain('e');
    await redis.hset(keys.cameraStatus('e'), 'learnState', 'failed');
    expect(await watch.check(T)).not.toContain('e');
    await redis.hset(keys.cameraStatus('e'), 'lastFrameAt', String(T + 30_000));
    expect(await watch.check(T + 30_000)).toContain('e');
  });
});
