/**
 * Runs `learn` jobs: a camera's first model, fitted from the learning frames ingest wrote, in a thread
 * (the process keeps scoring live frames meanwhile), published as a new version and announced in Redis.
 * A fit that throws is retried with the backoff ingest queued it with; every try and the final failure
 * are written to the camera's status (learnState, learnError, learnAttempts), never looped.
 */
import { rm } from 'node:fs/promises';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { createLogger, learningDir, redisKeys, type Config } from '@vigil/core';
import { cameraModelsDir, fitCameraModelInThread, readLearningFrames, type LearnJob } from '@vigil/anomaly';

const log = createLogger('worker:learn');

export interface LearnJobsDeps {
  /** Writes the camera's status and model version; not closed here. */
  redis: Redis;
}

export interface RunningLearnJobs {
  close(): Promise<void>;
}

export interface LearnResult {
  version: string;
  fitMs: number;
  frames: number;
}

/** Fits and publishes one camera's model from its learning frames; the version is set in Redis before the frames are removed. */
export async function runLearnJob(config: Config, redis: Redis, job: LearnJob): Promise<LearnResult> {
  const keys = redisKeys(config.namespace);
  const dir = learningDir(config.dataDir, job.cameraId);
  const { cameraId, frames } = await readLearningFrames(dir);
  if (cameraId !== job.cameraId) throw new UnrecoverableError(`learning frames in ${dir} are camera ${cameraId}'s, not ${job.cameraId}'s`);
  const { version, fitMs } = await fitCameraModelInThread(frames, job.options, cameraModelsDir(config.dataDir, job.cameraId));
  await redis.set(keys.modelVersion(job.cameraId), version);
  await rm(dir, { recursive: true, force: true });
  return { version, fitMs, frames: frames.length };
}

export function startLearnJobs(config: Config, deps: LearnJobsDeps): RunningLearnJobs {
  const keys = redisKeys(config.namespace);
  const { redis } = deps;
  const connection = new Redis(config.redis.url, { maxRetriesPerRequest: null });
  const status = (cameraId: string, ...fields: string[]) => redis.hset(keys.cameraStatus(cameraId), ...fields).catch(() => undefined);

  const worker = new Worker<LearnJob, LearnResult>(
    keys.learnQueue,
    async (job) => {
      const { cameraId } = job.data;
      await status(cameraId, 'learnState', 'fitting', 'learnAttempts', String(job.attemptsMade + 1));
      const result = await runLearnJob(config, redis, job.data);
      await redis.multi().hset(keys.cameraStatus(cameraId), 'learnState', 'done').hdel(keys.cameraStatus(cameraId), 'learnError').exec();
      log.info('model fitted', { camera: cameraId, version: result.version, frames: result.frames, fitMs: result.fitMs, attempt: job.attemptsMade + 1 });
      return result;
    },
    // One fit at a time per process: a fit takes every core it is given, and live frames share them.
    { connection, concurrency: 1, lockDuration: 60_000 },
  );
  worker.on('failed', (job: Job<LearnJob, LearnResult> | undefined, err) => {
    if (!job) return;
    const attempts = job.opts.attempts ?? 1;
    const final = err instanceof UnrecoverableError || job.attemptsMade >= attempts;
    void status(job.data.cameraId, 'learnState', final ? 'failed' : 'retrying', 'learnError', err.message, 'learnAttempts', String(job.attemptsMade));
    log[final ? 'error' : 'warn'](final ? 'fit failed: no more tries' : 'fit failed: will retry', { camera: job.data.cameraId, attempt: job.attemptsMade, of: attempts, err: err.message });
  });
  worker.on('error', (err) => log.error('learn queue error', { err: err.message }));

  return {
    async close() {
      await worker.close();
      connection.disconnect();
    },
  };
}
