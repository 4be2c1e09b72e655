import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { redisKeys } from '@vigil/core';
import { fitCameraModel, framesWithPrev, modelVersionDir, saveCameraModel } from '@vigil/anomaly';
import { ModelCache } from '../src/modelCache.js';

const REDIS_URL = process.env.VIGIL_TEST_REDIS ?? 'redis://127.0.0.1:6379';

/** Grey noise frames: enough for a patchGaussian model to fit and score. */
function noise(n: number, width: number, height: number): Uint8Array[] {
  let x = 12345;
  return Array.from({ length: n }, () => Uint8Array.from({ length: width * height * 3 }, () => 100 + ((x = (x * 1103515245 + 12345) % 2 ** 31) % 40)));
}

describe('ModelCache after Redis lost its keys', () => {
  const ns = `vigil-test-${randomUUID()}`;
  const keys = redisKeys(ns);
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-models-'));
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  let version: string;

  beforeAll(async () => {
    const model = await fitCameraModel(framesWithPrev(noise(30, 64, 48), 64, 48), { cameraId: 'cam', members: ['patchGaussian'] });
    version = model.manifest.version;
    await saveCameraModel(model, modelVersionDir(dataDir, 'cam', version));
  }, 60_000);

  afterAll(async () => {
    const left = await redis.keys(`${ns}:*`);
    if (left.length) await redis.del(...left);
    await redis.quit();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('loads the newest version on disk when Redis has none, and writes it back', async () => {
    expect(await redis.exists(keys.modelVersion('cam'))).toBe(0);
    const cache = new ModelCache(redis, keys, dataDir);
    const model = await cache.get('cam');
    expect(model?.manifest.version).toBe(version);
    expect(await redis.get(keys.modelVersion('cam'))).toBe(version);
  });

  it('keeps a version Redis names (ingest published it) and has none for a camera still learning', async () => {
    await redis.set(keys.modelVersion('cam'), version);
    expect((await new ModelCache(redis, keys, dataDir).get('cam'))?.manifest.version).toBe(version);
    expect(await new ModelCache(redis, keys, dataDir).get('new-cam')).toBeUndefined();
    expect(await redis.exists(keys.modelVersion('new-cam'))).toBe(0);
  });
});
