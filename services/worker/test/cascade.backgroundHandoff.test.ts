/** Ingest keeps the camera's background pair and hands it to whichever worker scores the frame, through Redis. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { redisKeys, type FrameJob } from '@vigil/core';
import { BackgroundPair, unpackBackground } from '@vigil/anomaly';
import { FramePublisher } from '@vigil/ingest';

const ns = `vigil-bghandoff-${randomUUID().slice(0, 8)}`;
const keys = redisKeys(ns);
const W = 16,
  H = 8;
let redis: Redis;
let queue: Queue<FrameJob>;

beforeAll(() => {
  redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  queue = new Queue<FrameJob>(keys.frameQueue, { connection: redis });
});

afterAll(async () => {
  await queue.obliterate({ force: true });
  await queue.close();
  const left = await redis.keys(`${ns}:*`);
  if (left.length) await redis.del(...left);
  redis.disconnect();
});

describe('background pair hand-off from ingest to the worker', () => {
  it("stores each frame's pair beside it with the same TTL, and the job names its key", async () => {
    const publisher = new FramePublisher(redis, queue, keys, { maxInFlight: 10, frameTtlSeconds: 30 });
    const pair = new BackgroundPair(W, H);
    for (let seq = 0; seq < 3; seq++) {
      const data = new Uint8Array(W * H * 3).fill(40 * (seq + 1));
      const background = pair.next(data);
      await publisher.publish({ cameraId: 'cam1', seq, capturedAt: 1_700_000_000_000 + seq * 200, width: W, height: H, data }, background);
    }
    const jobs = (await queue.getWaiting()).map((j) => j.data).sort((a, b) => a.seq - b.seq);
    expect(jobs.map((j) => j.bgKey)).toEqual([undefined, `${keys.frame('cam1', 1)}:bg`, `${keys.frame('cam1', 2)}:bg`]);
    const stored = await redis.getBuffer(jobs[2]!.bgKey!);
    const bg = unpackBackground(new Uint8Array(stored!), W, H)!;
    expect(bg.age).toBe(2);
    expect(bg.short[0]).toBeGreaterThan(40);
    expect(bg.short[0]).toBeLessThan(80);
    const ttl = await redis.ttl(jobs[2]!.bgKey!);
    expect(ttl).toBeGreaterThan(20);
    expect(ttl).toBeLessThanOrEqual(30);
  });
});
