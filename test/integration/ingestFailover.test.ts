/**
 * Ingest that shards: two real `vigil ingest` processes share one config of two cameras (real footage
 * through ffmpeg); each camera is read by exactly one of them, through its lease in Redis. One process
 * is killed (SIGKILL: it releases nothing); the other takes its cameras once their leases lapse, and
 * every camera delivers frames again.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { redisKeys } from '@vigil/core';
import { REPO_ROOT, startVigil, writeVigilConfig, type VigilProcess } from '../support/vigilProcess.js';
import { waitFor } from '../support/waitFor.js';

const REDIS_URL = 'redis://127.0.0.1:6379';
const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
const ns = `vigil-test-${randomUUID().slice(0, 8)}`;
const keys = redisKeys(ns);
const work = mkdtempSync(join(tmpdir(), 'vigil-failover-'));
const CAMERAS = ['street', 'parking'];
const LEASE_SECONDS = 1.5;
const processes: VigilProcess[] = [];

afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop()));
  const left = [...(await redis.keys(`${ns}*`)), ...(await redis.keys(`bull:${ns}*`))];
  if (left.length) await redis.del(...left);
  await redis.quit();
  rmSync(work, { recursive: true, force: true });
});

const holder = (camera: string) => redis.get(keys.cameraLease(camera));
const framesIn = async (camera: string) => Number((await redis.hget(keys.cameraStatus(camera), 'framesIn')) ?? 0);
const logs = () => processes.map((p) => `--- ${p.logFile}\n${readFileSync(p.logFile, 'utf8').slice(-3000)}`).join('\n');

/** Waits until every camera's frame counter has grown by `by` from now. */
async function allDeliver(by: number, timeoutMs: number): Promise<void> {
  const from = await Promise.all(CAMERAS.map(framesIn));
  await waitFor(`every camera ${by} frames further`, async () => ((await Promise.all(CAMERAS.map(framesIn))).every((n, i) => n >= from[i]! + by) ? true : undefined), timeoutMs, logs);
}

describe('ingest processes sharing one config', () => {
  it('read each camera once, and take over the cameras of one that is killed', async () => {
    const configFile = writeVigilConfig(work, {
      namespace: ns,
      dataDir: join(work, 'data'),
      redis: { url: REDIS_URL },
      gateway: { tokens: [{ token: 'operator-token', role: 'operator' }] },
      ingest: { leaseSeconds: LEASE_SECONDS },
      // No model and a long learning period: the cameras only deliver frames, which is what is watched.
      cameras: [
        { id: 'street', url: join(REPO_ROOT, 'footage', 'street.mp4'), fps: 5, width: 160, learnSeconds: 3600 },
        { id: 'parking', url: join(REPO_ROOT, 'footage', 'parking-overhead.mp4'), fps: 5, width: 160, learnSeconds: 3600 },
      ],
    });
    for (const name of ['a', 'b']) processes.push(startVigil(['ingest', '--config', configFile], join(work, `ingest-${name}.log`)));
    const pidOf = (owner: string | null) => Number(owner?.split(':')[1]);

    // Both cameras held, each by one of the two, and both delivering.
    await waitFor('every camera held', async () => ((await Promise.all(CAMERAS.map(holder))).every((h) => h !== null) ? true : undefined), 60_000, logs);
    await allDeliver(5, 60_000);
    const holders = await Promise.all(CAMERAS.map(holder));
    const pids = processes.map((p) => p.child.pid);
    for (const h of holders) expect(pids).toContain(pidOf(h));
    // The lease and the status say the same owner: one reader per camera.
    for (const [i, camera] of CAMERAS.entries()) expect(await redis.hget(keys.cameraStatus(camera), 'owner')).toBe(holders[i]);

    // Kill the process that holds the first camera (it may hold both).
    const victim = processes.find((p) => p.child.pid === pidOf(holders[0]!))!;
    const survivor = processes.find((p) => p !== victim)!;
    const killedAt = Date.now();
    victim.child.kill('SIGKILL');
    await waitFor('the survivor holding every camera', async () => ((await Promise.all(CAMERAS.map(holder))).every((h) => pidOf(h) === survivor.child.pid) ? true : undefined), 30_000, logs);
    const takenAt = Date.now();
    await allDeliver(5, 30_000);
    const resumedAt = Date.now();
    console.log(
      `[figures] ingest failover (lease ${LEASE_SECONDS} s): cameras held by the survivor ${((takenAt - killedAt) / 1000).toFixed(1)} s after the kill; every camera 5 frames further ${((resumedAt - killedAt) / 1000).toFixed(1)} s after it`,
    );
    for (const camera of CAMERAS) expect(await redis.hget(keys.cameraStatus(camera), 'owner')).toBe(await holder(camera));
  }, 180_000);
});
