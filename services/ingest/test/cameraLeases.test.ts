import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { redisKeys } from '@vigil/core';
import { CameraLeases } from '../src/cameraLeases.js';

const redis = new Redis(process.env.VIGIL_TEST_REDIS ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
const ns = `vigil-test-${randomUUID()}`;
const keys = redisKeys(ns);

afterAll(async () => {
  const left = await redis.keys(`${ns}:*`);
  if (left.length) await redis.del(...left);
  await redis.quit();
});

describe('camera leases', () => {
  it('give a camera to one owner at a time; a lapsed lease goes to the next who asks; only the holder releases', async () => {
    const a = new CameraLeases(redis, keys, 'a', 300);
    const b = new CameraLeases(redis, keys, 'b', 300);
    const [gotA, gotB] = await Promise.all([a.acquire('cam1'), b.acquire('cam1')]);
    expect([gotA, gotB].filter(Boolean)).toHaveLength(1);
    const [holder, other] = gotA ? [a, b] : [b, a];
    expect(await holder.acquire('cam1')).toBe(true);
    expect(await holder.renew('cam1')).toBe(true);
    expect(await other.renew('cam1')).toBe(false);
    await other.release('cam1');
    expect(await a.holder('cam1')).toBe(holder.owner);
    // The holder stops renewing (a dead process): the lease lapses, and the other takes it.
    await expect.poll(() => other.acquire('cam1'), { timeout: 5000, interval: 50 }).toBe(true);
    expect(await holder.renew('cam1')).toBe(false);
    await other.release('cam1');
    expect(await a.holder('cam1')).toBeNull();
    // A lease that vanished (Redis restarted empty) is taken again by the one renewing it.
    expect(await other.acquire('cam2')).toBe(true);
    await redis.del(keys.cameraLease('cam2'));
    expect(await other.renew('cam2')).toBe(true);
    expect(await a.holder('cam2')).toBe(other.owner);
  });
});
