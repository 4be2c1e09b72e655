import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisKeys, type Frame, type FrameJob } from '@vigil/core';
import { packYuv420 } from '@vigil/video';
import { FramePublisher } from '../src/framePublisher.js';

const ns = `test-pub-${randomBytes(4).toString('hex')}`;
const keys = redisKeys(ns);
let redis: Redis;
let queue: Queue<FrameJob>;

function frame(seq: number): Frame {
  const data = new Uint8Array(4 * 2 * 3).fill(seq % 256);
  return { cameraId: 'cam1', seq, capturedAt: 1_700_000_000_000 + seq * 200, width: 4, height: 2, data };
}

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

describe('FramePublisher', () => {
  it('queues frames up to the in-flight bound, then drops and counts, without growing the queue', async () => {
    const publisher = new FramePublisher(redis, queue, keys, { maxInFlight: 3, frameTtlSeconds: 30 });
    const outcomes = [];
    for (let seq = 0; seq < 10; seq++) outcomes.push(await publisher.publish(frame(seq)));
    expect(outcomes).toEqual(['queued', 'queued', 'queued', 'dropped', 'dropped', 'dropped', 'dropped', 'dropped', 'dropped', 'dropped']);
    expect(await queue.getWaitingCount()).toBe(3);
    const status = await redis.hgetall(keys.cameraStatus('cam1'));
    expect(status.framesIn).toBe('10');
    expect(status.dropped).toBe('7');

    // A worker finishing a frame frees a slot: the next frame is queued again.
    await redis.decr(keys.inFlight('cam1'));
    expect(await publisher.publish(frame(10))).toBe('queued');
  });

  it('stores the frame as YUV 4:2:0 under the job key with a TTL, and points each job at the previous frame', async () => {
    const jobs = await queue.getWaiting(0, 10);
    const bySeq = new Map(jobs.map((j) => [j.data.seq, j.data]));
    const first = bySeq.get(0)!;
    expect(first.prevKey).toBeUndefined();
    expect(bySeq.get(1)!.prevKey).toBe(first.key);
    // Frame 9 was dropped, yet frame 10 still gets it as its predecessor for motion.
    expect(bySeq.get(10)!.prevKey).toBe(keys.frame('cam1', 9));
    const bytes = await redis.getBuffer(first.key);
    expect(first.encoding).toBe('yuv420');
    expect(bytes && [...bytes]).toEqual([...packYuv420(frame(0).data, 4, 2)]);
    expect(bytes?.length).toBe(4 * 2 * 1.5);
    const ttl = await redis.ttl(first.key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(30);
  });
});
