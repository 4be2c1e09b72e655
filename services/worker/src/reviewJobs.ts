/**
 * Runs reviews queued by `POST /v1/reviews`: the camera's current model over a recording on the
 * server, the report written to `reviewDir(dataDir, reviewId)`. One at a time per worker process:
 * a review scores as fast as it decodes, and live frames share the same CPU.
 */
import { UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { createLogger, redisKeys, reviewDir, VigilError, type Config } from '@vigil/core';
import { modelVersionDir } from '@vigil/anomaly';
import { reviewQueueName, reviewVideo, writeReport, type ReviewJob, type ReviewJobProgress, type ReviewJobResult } from '@vigil/review';
import { cameraModelVersion } from './modelCache.js';

const log = createLogger('worker:reviews');
const PROGRESS_EVERY_MS = 1000;

export interface ReviewJobsDeps {
  /** Reads the cameras' current model versions; not closed here. */
  redis: Redis;
  /** Reviews run at once by this process. Default 1. */
  concurrency?: number;
}

export interface RunningReviewJobs {
  close(): Promise<void>;
}

export function startReviewJobs(config: Config, deps: ReviewJobsDeps): RunningReviewJobs {
  const keys = redisKeys(config.namespace);
  const cameras = new Map(config.cameras.map((c) => [c.id, c]));
  const connection = new Redis(config.redis.url, { maxRetriesPerRequest: null });

  const worker = new Worker<ReviewJob, ReviewJobResult>(
    reviewQueueName(config.namespace),
    async (job) => {
      const { reviewId, file, cameraId } = job.data;
      const camera = cameras.get(cameraId);
      if (!camera) throw new UnrecoverableError(`camera "${cameraId}" is not in this worker's config`);
      const version = await cameraModelVersion(deps.redis, keys, config.dataDir, cameraId);
      if (!version) throw new UnrecoverableError(`camera "${cameraId}" has no model yet`);
      let lastProgress = 0;
      try {
        const result = await reviewVideo(file, {
          modelDir: modelVersionDir(config.dataDir, cameraId, version),
          fps: camera.fps,
          policy: camera.alerts,
          cascade: camera.cascade,
          onProgress: (p) => {
            const now = Date.now();
            if (now - lastProgress < PROGRESS_EVERY_MS || p.durationSeconds <= 0) return;
            lastProgress = now;
            const progress: ReviewJobProgress = { fraction: Math.min(1, p.videoSeconds / p.durationSeconds), videoSeconds: p.videoSeconds };
            void job.updateProgress(progress).catch(() => undefined);
          },
        });
        await writeReport(result, reviewDir(config.dataDir, reviewId));
        const r = result.report;
        log.info('review done', { review: reviewId, camera: cameraId, alerts: r.alerts.length, video: r.durationSeconds, seconds: r.processingSeconds.toFixed(1) });
        return { alerts: r.alerts.length, durationSeconds: r.durationSeconds, processingSeconds: r.processingSeconds, modelVersion: r.modelVersion };
      } catch (err) {
        // A bad recording or model will not get better by retrying: fail once, with the reason.
        if (err instanceof VigilError) throw new UnrecoverableError(err.message);
        throw err;
      }
    },
    { connection, concurrency: deps.concurrency ?? 1 },
  );
  worker.on('failed', (job, err) => log.warn('review failed', { review: job?.data.reviewId, err: err.message }));
  worker.on('error', (err) => log.error('review queue error', { err: err.message }));

  return {
    async close() {
      await worker.close();
      connection.disconnect();
    },
  };
}
