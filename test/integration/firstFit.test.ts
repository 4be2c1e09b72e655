/**
 * A new camera's first fit runs on the workers, not in ingest: real ingest (a real file camera through
 * ffmpeg), real Redis and BullMQ, the real learn job. While the fit job is running the camera keeps
 * publishing preview frames and counting frames; a fit that throws is retried with backoff, reported in
 * the camera's status, and never looped.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { configSchema, learningDir, redisKeys, type Config } from '@vigil/core';
import { latestModelVersion, type LearnJob } from '@vigil/anomaly';
import { learnJobId, startIngest, type RunningIngest } from '@vigil/ingest';
import { runLearnJob, startLearnJobs, type RunningLearnJobs } from '@vigil/worker';
import { REPO_ROOT } from '../support/vigilProcess.js';
import { waitFor } from '../support/waitFor.js';

const REDIS_URL = process.env.VIGIL_TEST_REDIS ?? 'redis://127.0.0.1:6379';
const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
const roots: string[] = [];
const namespaces: string[] = [];
const closers: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
});
afterAll(async () => {
  for (const ns of namespaces) {
    const keys = await redis.keys(`${ns}*`);
    if (keys.length) await redis.del(...keys);
  }
  await redis.quit();
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

function setup(extra: { learnAttempts?: number; learnBackoffSeconds?: number } = {}): { config: Config; cameraId: string } {
  const namespace = `vigil-test-${randomUUID()}`;
  namespaces.push(namespace);
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-firstfit-'));
  roots.push(dataDir);
  const config = configSchema.parse({
    namespace,
    dataDir,
    redis: { url: REDIS_URL },
    ingest: extra,
    gateway: { tokens: [{ token: 'viewer-token', role: 'viewer' }] },
    // 12 s of the real street clip at 160 px: a small but real fit of the default members (the background
    // pair needs frames older than 5 s).
    cameras: [{ id: 'street', url: join(REPO_ROOT, 'footage', 'street.mp4'), fps: 5, width: 160, learnSeconds: 12, loop: true }],
  });
  return { config, cameraId: 'street' };
}

/** Counts the camera's preview frames (the gateway's subscription, as a dashboard would cause it). */
async function watchPreview(config: Config, cameraId: string): Promise<() => number> {
  const sub = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  closers.push(() => sub.quit());
  let n = 0;
  sub.on('messageBuffer', () => n++);
  await sub.subscribe(redisKeys(config.namespace).previewChannel(cameraId));
  return () => n;
}

async function status(config: Config, cameraId: string): Promise<Record<string, string>> {
  return redis.hgetall(redisKeys(config.namespace).cameraStatus(cameraId));
}

async function ingest(config: Config): Promise<RunningIngest> {
  const running = await startIngest(config);
  closers.push(() => running.close());
  return running;
}

/** Waits until the counter has grown by `by` from now (frames keep flowing). */
async function grows(what: string, read: () => Promise<number> | number, by: number): Promise<void> {
  const from = await read();
  await waitFor(what, async () => ((await read()) >= from + by ? true : undefined), 60_000);
}

describe("a camera's first fit runs on the workers", () => {
  it('keeps previewing and counting frames while its learn job runs, then scores with the fitted model', async () => {
    const { config, cameraId } = setup();
    const keys = redisKeys(config.namespace);
    const preview = await watchPreview(config, cameraId);
    const running = await ingest(config);
    const learnQueue = new Queue<LearnJob>(keys.learnQueue, { connection: redis });
    closers.push(() => learnQueue.close());
    await waitFor('the learn job', async () => ((await learnQueue.getJob(learnJobId(cameraId))) ? true : undefined), 60_000);
    expect(existsSync(join(learningDir(config.dataDir, cameraId), 'frames.json'))).toBe(true);

    // A worker takes the job; the test holds it running until it has seen the camera carry on.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let started = false;
    const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const worker = new Worker<LearnJob>(
      keys.learnQueue,
      async (job) => {
        started = true;
        await held;
        return runLearnJob(config, redis, job.data);
      },
      { connection, lockDuration: 60_000 },
    );
    let failure = '';
    worker.on('failed', (_job, err) => (failure = err.message));
    closers.push(async () => {
      await worker.close();
      connection.disconnect();
    });
    await waitFor('the fit to start', () => (started ? true : undefined), 30_000);
    expect(await (await learnQueue.getJob(learnJobId(cameraId)))!.getState()).toBe('active');

    await grows('preview frames during the fit', preview, 5);
    await grows('frames counted during the fit', async () => Number((await status(config, cameraId)).framesIn ?? 0), 10);
    expect((await status(config, cameraId)).state).toBe('learning');
    expect(await (await learnQueue.getJob(learnJobId(cameraId)))!.getState()).toBe('active');
    // Nothing is queued for scoring before there is a model.
    expect(running.pipelines[0]!.published).toBe(0);

    release();
    const version = await waitFor(
      'the model version',
      async () => (await redis.get(keys.modelVersion(cameraId))) ?? undefined,
      120_000,
      () => `the fit failed: ${failure}`,
    );
    expect(latestModelVersion(config.dataDir, cameraId)).toBe(version);
    // The version is published first, then the learning frames are removed (a crash between keeps the frames, not the camera without a model).
    await waitFor('the learning frames removed', () => (existsSync(learningDir(config.dataDir, cameraId)) ? undefined : true), 30_000);
    await waitFor('the camera live', async () => ((await status(config, cameraId)).state === 'live' ? true : undefined), 30_000);
    await waitFor('frames queued for scoring', () => (running.pipelines[0]!.published > 0 ? true : undefined), 30_000);
  }, 300_000);

  it('retries a fit that throws with backoff, reports it, and does not loop', async () => {
    const { config, cameraId } = setup({ learnAttempts: 3, learnBackoffSeconds: 0.2 });
    const keys = redisKeys(config.namespace);
    const preview = await watchPreview(config, cameraId);
    await ingest(config);
    const learnQueue = new Queue<LearnJob>(keys.learnQueue, { connection: redis });
    closers.push(() => learnQueue.close());
    const job = await waitFor('the learn job', async () => (await learnQueue.getJob(learnJobId(cameraId))) ?? undefined, 60_000);
    // The frames are damaged on disk before any worker reads them: every try fails the same way.
    const bin = join(learningDir(config.dataDir, cameraId), 'frames.bin');
    writeFileSync(bin, readFileSync(bin).subarray(0, 4096));

    const workers: RunningLearnJobs = startLearnJobs(config, { redis });
    closers.push(() => workers.close());
    const failed = await waitFor(
      'the final failure',
      async () => {
        const s = await status(config, cameraId);
        return s.learnState === 'failed' ? s : undefined;
      },
      60_000,
    );
    expect(failed.learnAttempts).toBe('3');
    expect(failed.learnError).toMatch(/learning frames in .* are truncated or corrupt: 4096 bytes/);
    const final = (await learnQueue.getJob(job.id!))!;
    expect(await final.getState()).toBe('failed');
    expect(final.attemptsMade).toBe(3);
    // With backoff: the three tries are spread by at least 0.2 s, then 0.4 s.
    expect(final.finishedOn! - job.timestamp).toBeGreaterThanOrEqual(600);

    // Not looped: frames keep coming, the camera stays learning, and no other learn job appears.
    await grows('preview frames after the failure', preview, 5);
    await grows('frames counted after the failure', async () => Number((await status(config, cameraId)).framesIn ?? 0), 10);
    const after = await status(config, cameraId);
    expect([after.state, after.learnState]).toEqual(['learning', 'failed']);
    const counts = await learnQueue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed');
    expect(counts).toEqual({ waiting: 0, active: 0, delayed: 0, failed: 1, completed: 0 });
    expect((await learnQueue.getJob(job.id!))!.timestamp).toBe(job.timestamp);
    expect(latestModelVersion(config.dataDir, cameraId)).toBeUndefined();
  }, 300_000);
});
