/**
 * The ingest service: one pipeline per camera it owns, all feeding one frame queue. Several ingest
 * processes may share a config: each camera is owned by exactly one live process through a lease in
 * Redis (cameraLeases.ts); a process takes the cameras nobody holds, lets go of one whose lease it lost,
 * and releases its own when it stops. When a process dies, the others take its cameras within
 * `ingest.leaseSeconds`.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { createLogger, redisKeys, type CameraConfig, type Config, type FrameJob } from '@vigil/core';
import type { LearnJob } from '@vigil/anomaly/capture';
import { CameraLeases } from './cameraLeases.js';
import { CameraPipeline, type PipelineDeps } from './cameraPipeline.js';

const log = createLogger('ingest');

export interface RunningIngest {
  /** This process's id in the cameras' leases. */
  owner: string;
  /** The pipelines of the cameras this process owns now. */
  readonly pipelines: CameraPipeline[];
  close(): Promise<void>;
}

export interface IngestOptions {
  /** The owner id in leases (default: host, pid and a random part). */
  owner?: string;
}

export async function startIngest(config: Config, options: IngestOptions = {}): Promise<RunningIngest> {
  const redis = new Redis(config.redis.url, { maxRetriesPerRequest: null });
  const keys = redisKeys(config.namespace);
  const queue = new Queue<FrameJob>(keys.frameQueue, { connection: redis });
  const learnQueue = new Queue<LearnJob>(keys.learnQueue, { connection: redis });
  const deps: PipelineDeps = {
    redis,
    queue,
    learnQueue,
    learnRetry: { attempts: config.ingest.learnAttempts, backoffSeconds: config.ingest.learnBackoffSeconds },
    keys,
    dataDir: config.dataDir,
    maxInFlight: config.ingest.maxInFlight,
    frameTtlSeconds: config.ingest.frameTtlSeconds,
    stallSeconds: config.ingest.stallSeconds,
  };
  const owner = options.owner ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const leaseMs = Math.round(config.ingest.leaseSeconds * 1000);
  const leases = new CameraLeases(redis, keys, owner, leaseMs);
  const owned = new Map<string, CameraPipeline>();
  let closed = false;

  const take = async (camera: CameraConfig) => {
    const pipeline = new CameraPipeline(camera, deps);
    owned.set(camera.id, pipeline);
    await redis.hset(keys.cameraStatus(camera.id), 'owner', owner);
    await pipeline.start();
    log.info('camera taken', { camera: camera.id, owner });
  };
  const letGo = async (cameraId: string, why: string) => {
    const pipeline = owned.get(cameraId);
    owned.delete(cameraId);
    await pipeline?.stop({ handedOver: true });
    log.warn('camera let go', { camera: cameraId, why });
  };

  /** One round: renew what this process owns, let go of what it lost, take what nobody holds. */
  const round = async () => {
    for (const camera of config.cameras) {
      if (closed) return;
      if (owned.has(camera.id)) {
        if (!(await leases.renew(camera.id))) await letGo(camera.id, 'its lease lapsed or another process holds it');
      } else if (await leases.acquire(camera.id)) {
        await take(camera);
      }
    }
  };

  await round();
  // A round every third of a lease: a lease is renewed twice before it could lapse.
  let running = Promise.resolve();
  const timer = setInterval(
    () => {
      running = running.then(round).catch((err: unknown) => log.warn('lease round failed', { err }));
    },
    Math.max(200, Math.floor(leaseMs / 3)),
  );
  log.info('ingest started', { owner, cameras: [...owned.keys()].join(',') || '(none yet: others hold them)' });

  return {
    owner,
    get pipelines() {
      return [...owned.values()];
    },
    async close() {
      closed = true;
      clearInterval(timer);
      await running;
      const ids = [...owned.keys()];
      await Promise.all(ids.map((id) => owned.get(id)!.stop()));
      // Handed back at once, so another process need not wait for the leases to lapse.
      await Promise.all(ids.map((id) => leases.release(id).catch(() => undefined)));
      owned.clear();
      await queue.close();
      await learnQueue.close();
      redis.disconnect();
    },
  };
}
