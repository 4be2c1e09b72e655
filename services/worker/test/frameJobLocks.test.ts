import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { frameJobLocks } from '../src/workerService.js';

const REDIS_URL = process.env.VIGIL_TEST_REDIS ?? 'redis://127.0.0.1:6379';
const connections: Redis[] = [];
const connect = () => {
  const r = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  connections.push(r);
  return r;
};
afterAll(async () => {
  await Promise.all(connections.map((c) => c.quit().catch(() => undefined)));
});

describe('frame jobs of a worker that died', () => {
  it('are locked and checked for stalling well within the frame bytes TTL, for every allowed TTL', () => {
    for (const ttl of [5, 10, 20, 60, 3600]) {
      const { lockDuration, stalledInterval } = frameJobLocks(ttl);
      // A dead worker's job is back in the queue at most lock + one check after it was taken.
      expect(lockDuration + stalledInterval).toBeLessThan(ttl * 1000);
      expect(lockDuration).toBeGreaterThanOrEqual(2000);
    }
  });

  it('are taken over by another worker while the frame bytes still exist', async () => {
    const name = `vigil-test-locks-${randomUUID()}`;
    const ttl = 6;
    const bytesKey = `${name}:frame`;
    const admin = connect();
    const queue = new Queue(name, { connection: connect() });
    await admin.set(bytesKey, 'rgb', 'EX', ttl);
    let taken!: () => void;
    const takenByA = new Promise<void>((resolve) => (taken = resolve));
    // A takes the job and never finishes it: then it dies (closed by force, its lock no longer renewed).
    const a = new Worker(
      name,
      () => {
        taken();
        return new Promise(() => undefined);
      },
      { connection: connect(), ...frameJobLocks(ttl) },
    );
    await queue.add('frame', { key: bytesKey });
    await takenByA;
    await a.close(true);
    const found = await new Promise<boolean>((resolve) => {
      const b = new Worker(
        name,
        async () => {
          resolve((await admin.exists(bytesKey)) === 1);
          await b.close();
        },
        { connection: connect(), ...frameJobLocks(ttl) },
      );
    });
    expect(found).toBe(true);
    await queue.obliterate({ force: true });
    await queue.close();
  }, 30_000);
});
