/** Loads camera models on demand and switches to a newer version between frames (workers hold no other camera state). */
import type { Redis } from 'ioredis';
import { createLogger, ModelError, type RedisKeys } from '@vigil/core';
import { latestModelVersion, loadCameraModel, modelVersionDir, type CameraAreas, type CameraModel } from '@vigil/anomaly';

const log = createLogger('worker:models');
/** How long a looked-up version is trusted before asking Redis again. */
const VERSION_CHECK_MS = 1000;

interface Entry {
  version: string;
  model: CameraModel;
  checkedAt: number;
}

/**
 * The camera's current model version. The data directory is the source of truth and Redis its cache:
 * when the key is gone (Redis restarted without persistence, or flushed), the newest version on disk is
 * used and written back, so detection resumes by itself instead of skipping every frame as `no-model`.
 */
export async function cameraModelVersion(redis: Redis, keys: RedisKeys, dataDir: string, cameraId: string): Promise<string | undefined> {
  const cached = await redis.get(keys.modelVersion(cameraId));
  if (cached) return cached;
  const onDisk = latestModelVersion(dataDir, cameraId);
  if (!onDisk) return undefined;
  // NX: a version ingest publishes meanwhile (a new fit, also on disk) is not overwritten.
  if ((await redis.set(keys.modelVersion(cameraId), onDisk, 'NX')) === 'OK') {
    log.warn('model version was missing from Redis: restored from the data directory', { camera: cameraId, version: onDisk });
  }
  return (await redis.get(keys.modelVersion(cameraId))) ?? onDisk;
}

export class ModelCache {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<Entry | undefined>>();

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly dataDir: string,
    /** The camera's masks and zones as configured now: they apply to a model fitted before they changed. */
    private readonly areasFor: (cameraId: string) => CameraAreas | undefined = () => undefined,
  ) {}

  /** The camera's current model, or undefined while it has none (still learning). */
  async get(cameraId: string): Promise<CameraModel | undefined> {
    const cached = this.entries.get(cameraId);
    if (cached && Date.now() - cached.checkedAt < VERSION_CHECK_MS) return cached.model;
    let pending = this.loading.get(cameraId);
    if (!pending) {
      pending = this.refresh(cameraId, cached).finally(() => this.loading.delete(cameraId));
      this.loading.set(cameraId, pending);
    }
    return (await pending)?.model;
  }

  private async refresh(cameraId: string, cached: Entry | undefined): Promise<Entry | undefined> {
    const version = await cameraModelVersion(this.redis, this.keys, this.dataDir, cameraId);
    if (!version) return undefined;
    if (cached && cached.version === version) {
      cached.checkedAt = Date.now();
      return cached;
    }
    const dir = modelVersionDir(this.dataDir, cameraId, version);
    try {
      const loaded = await loadCameraModel(dir);
      const areas = this.areasFor(cameraId);
      const model = areas ? loaded.withAreas(areas) : loaded;
      const entry = { version, model, checkedAt: Date.now() };
      this.entries.set(cameraId, entry);
      log.info('model loaded', { camera: cameraId, version });
      return entry;
    } catch (err) {
      // Keep scoring with the previous version rather than stop, and say why.
      log.error('cannot load model', { camera: cameraId, version, err: err instanceof ModelError ? err.message : String(err) });
      if (cached) cached.checkedAt = Date.now();
      return cached;
    }
  }
}
