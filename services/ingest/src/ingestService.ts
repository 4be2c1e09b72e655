/** The ingest service: one pipeline per configured camera, all feeding one frame queue. */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { createLogger, redisKeys, type Config, type FrameJob } from '@vigil/core';
import type { LearnJob } from '@vigil/anomaly/capture';
import { CameraPipeline } from './cameraPipeline.js';

const log = createLogger('ingest');

export interface RunningIngest {
  pipelines: CameraPipeline[];
  close(): Promise<void>;
}

export async function startIngest(config: Config): Promise<RunningIngest> {
  const redis = new Redis(config.redis.url, { maxRetriesPerRequest: null });
  const keys = redisKeys(config.namespace);
  const queue = new Queue<FrameJob>(keys.frameQueue, { connection: redis });
  const learnQueue = new Queue<LearnJob>(keys.learnQueue, { connection: redis });
  const pipelines = config.cameras.map(
    (camera) =>
      new CameraPipeline(camera, {
        redis,
        queue,
        learnQueue,
        learnRetry: { attempts: config.ingest.learnAttempts, backoffSeconds: config.ingest.learnBackoffSeconds },
        keys,
        dataDir: config.dataDir,
        maxInFlight: config.ingest.maxInFlight,
        frameTtlSeconds: config.ingest.frameTtlSeconds,
        stallSeconds: config.ingest.stallSeconds,
      }),
  );
  for (const p of pipelines) await p.start();
  log.info('ingest started', { cameras: config.cameras.map((c) => c.id).join(',') });
  return {
    pipelines,
    async close() {
      await Promise.all(pipelines.map((p) => p.stop()));
      await queue.close();
      await learnQueue.close();
      redis.disconnect();
    },
  };
}
