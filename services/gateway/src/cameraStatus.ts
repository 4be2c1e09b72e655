/** Reads the per-camera status hashes that ingest and workers keep in Redis. */
import type { Redis } from 'ioredis';
import { cameraStatusSchema, redisKeys, type CameraConfig, type CameraStatus } from '@vigil/core';

export type { CameraStatus };

const LEARN_STATES = new Set<string>(cameraStatusSchema.shape.learn.unwrap().shape.state.options);
type LearnState = NonNullable<CameraStatus['learn']>['state'];

function count(value: string | undefined): number {
  const n = Number(value);
  return value !== undefined && Number.isFinite(n) && n >= 0 ? n : 0;
}

/** Accepts ms or s since the epoch, or an ISO string, as other services may write either. */
export function toIsoTime(value: string | undefined): string | null {
  if (!value) return null;
  const n = Number(value);
  const ms = Number.isFinite(n) ? (n < 1e11 ? n * 1000 : n) : Date.parse(value);
  return Number.isFinite(ms) && ms > 0 ? new Date(ms).toISOString() : null;
}

export async function readCameraStatuses(redis: Redis, ns: string, cameras: CameraConfig[]): Promise<CameraStatus[]> {
  const keys = redisKeys(ns);
  const pipeline = redis.pipeline();
  for (const cam of cameras) pipeline.hgetall(keys.cameraStatus(cam.id));
  const results = (await pipeline.exec()) ?? [];
  return cameras.map((cam, i) => {
    const [err, value] = results[i] ?? [null, {}];
    // A key of another type is someone else's bug; show the camera as unknown rather than fail the list.
    if (err && !/^WRONGTYPE/.test(err.message)) throw err;
    const hash = (err ? {} : (value ?? {})) as Record<string, string>;
    return {
      id: cam.id,
      name: cam.name ?? null,
      state: hash.state || 'unknown',
      reason: hash.reason || null,
      detail: hash.detail || null,
      framesIn: count(hash.framesIn),
      dropped: count(hash.dropped),
      scored: count(hash.scored),
      scoreSeconds: count(hash.scoreSecondsTotal),
      lastFrameAt: toIsoTime(hash.lastFrameAt),
      learn: hash.learnState && LEARN_STATES.has(hash.learnState) ? { state: hash.learnState as LearnState, attempts: count(hash.learnAttempts), error: hash.learnError || null } : null,
      masks: cam.masks ?? [],
      zones: cam.zones ?? [],
    };
  });
}
