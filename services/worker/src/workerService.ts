/** The worker service: a BullMQ worker pool scoring frames of any camera, the quiet-camera sweep, reviews and cameras' first fits. */
import { createServer, type Server } from 'node:http';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { createLogger, redisKeys, type Config, type FrameJob } from '@vigil/core';
import { areasOfCamera, initBackend } from '@vigil/anomaly';
import { AlertTracker } from './alertTracker.js';
import { BackboneBatcher } from './backboneBatcher.js';
import { FrameScorer } from './frameScorer.js';
import { ModelCache } from './modelCache.js';
import { appendScoreTo } from './scoreTimeline.js';
import { createWorkerMetrics } from './workerMetrics.js';
import { startReviewJobs } from './reviewJobs.js';
import { startLearnJobs } from './learnJobs.js';

const log = createLogger('worker');
const TICK_MS = 1000;
// Frees the frame's in-flight slot that ingest took; never below zero, and not at all once the counter expired.
const RELEASE_SLOT = `
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n > 0 then return redis.call('DECR', KEYS[1]) end
return 0`;

export interface RunningWorker {
  metricsUrl?: string;
  close(): Promise<void>;
}

/**
 * A frame job's lock and the stalled-job check, from the frame's TTL: a worker killed while scoring
 * holds its jobs until the lock lapses, and the check puts them back only then; BullMQ's defaults (30 s
 * each) let the frame's bytes (20 s) expire first, so the retry found nothing. Locks are renewed at half
 * their duration while a job runs, so a slow frame keeps its lock.
 */
export function frameJobLocks(frameTtlSeconds: number): { lockDuration: number; stalledInterval: number } {
  const lockDuration = Math.max(2000, Math.round((frameTtlSeconds * 1000) / 3));
  return { lockDuration, stalledInterval: Math.max(1000, Math.round(lockDuration / 2)) };
}

export async function startWorker(config: Config): Promise<RunningWorker> {
  const keys = redisKeys(config.namespace);
  const redis = new Redis(config.redis.url, { maxRetriesPerRequest: null });
  const bullConnection = new Redis(config.redis.url, { maxRetriesPerRequest: null });
  const policies = new Map(config.cameras.map((c) => [c.id, c.alerts]));
  const defaultPolicy = config.cameras[0]!.alerts;
  const tracker = new AlertTracker(redis, config.namespace, (id) => policies.get(id) ?? defaultPolicy);
  // The backend decides the cascade: on a GPU every tier scores every frame, on CPUs the backbone tier only flagged and sampled ones.
  const backend = await initBackend();
  const cascades = new Map(config.cameras.map((c) => [c.id, c.cascade]));
  // Frames scored at once (up to the concurrency) share one execute of the backbone.
  const batcher = new BackboneBatcher({ windowMs: 5, maxBatch: config.worker.concurrency });
  const areas = new Map(config.cameras.map((c) => [c.id, areasOfCamera(c)]));
  const scorer = new FrameScorer(
    redis,
    keys,
    new ModelCache(redis, keys, config.dataDir, (id) => areas.get(id)),
    tracker,
    config.dataDir,
    {
      backend,
      settingsFor: (id) => cascades.get(id),
      batcher,
    },
    config.ingest.frameTtlSeconds,
  );
  const metrics = createWorkerMetrics();
  metrics.backend.set({ backend }, 1);
  // Retrospective reviews (POST /v1/reviews) run on workers too, one at a time, beside live frames.
  const reviews = startReviewJobs(config, { redis });
  // First fits of new cameras (queued by ingest), one at a time, in a thread beside live frames.
  const learning = startLearnJobs(config, { redis });

  const worker = new Worker<FrameJob>(
    keys.frameQueue,
    async (job) => {
      const started = performance.now();
      const camera = job.data.cameraId;
      try {
        const outcome = await scorer.score(job.data);
        const seconds = (performance.now() - started) / 1000;
        if (outcome.kind !== 'scored') {
          metrics.framesSkipped.inc({ camera, reason: outcome.kind });
          // Its bytes were gone before a worker got to it (a backlog, or a dead worker's job retried late): a dropped frame.
          if (outcome.kind === 'expired') await redis.hincrby(keys.cameraStatus(camera), 'dropped', 1);
          return;
        }
        metrics.framesScored.inc({ camera });
        metrics.scoreSeconds.observe({ camera }, seconds);
        for (const ev of outcome.events) metrics.alertEvents.inc({ camera, event: ev.event });
        // Status and score timeline in one round trip; the timeline entry is the first command.
        const results = await appendScoreTo(redis.multi(), keys, outcome.score)
          .hincrby(keys.cameraStatus(camera), 'scored', 1)
          .hincrbyfloat(keys.cameraStatus(camera), 'scoreSecondsTotal', seconds)
          .hset(keys.cameraStatus(camera), 'lastScore', outcome.score.score.toFixed(4), 'lastScoredAt', String(Date.now()))
          .exec();
        const timelineError = results?.[0]?.[0];
        if (timelineError) log.warn('cannot append to the score timeline', { camera, err: timelineError.message });
      } finally {
        await redis.eval(RELEASE_SLOT, 1, keys.inFlight(camera));
      }
    },
    { connection: bullConnection, concurrency: config.worker.concurrency, ...frameJobLocks(config.ingest.frameTtlSeconds) },
  );
  worker.on('failed', (job, err) => log.error('frame failed', { camera: job?.data.cameraId, seq: job?.data.seq, err: err.message }));
  worker.on('error', (err) => log.error('queue error', { err: err.message }));

  // Close alerts of cameras that went silent: no frame will arrive to decide it.
  const cameraIds = config.cameras.map((c) => c.id);
  const ticker = setInterval(() => {
    tracker.tick(cameraIds, Date.now()).catch((err: unknown) => log.warn('tick failed', { err }));
  }, TICK_MS);

  let server: Server | undefined;
  let metricsUrl: string | undefined;
  if (config.worker.metricsPort !== undefined) {
    server = createServer((req, res) => {
      if (req.url !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
    });
    await new Promise<void>((resolve) => server!.listen(config.worker.metricsPort, '0.0.0.0', resolve));
    const addr = server.address();
    metricsUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : config.worker.metricsPort}/metrics`;
  }
  log.info('worker started', { concurrency: config.worker.concurrency, backend, ...(metricsUrl ? { metrics: metricsUrl } : {}) });

  return {
    ...(metricsUrl ? { metricsUrl } : {}),
    async close() {
      clearInterval(ticker);
      await worker.close();
      await reviews.close();
      await learning.close();
      await tracker.close();
      server?.close();
      redis.disconnect();
      bullConnection.disconnect();
    },
  };
}
