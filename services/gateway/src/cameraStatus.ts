/** Reads the per-camera status hashes that ingest and workers keep in Redis. */
import type { Redis } from 'ioredis';
import { redisKeys, type CameraConfig } from '@vigil/core';

export interface CameraStatus {
  id: string;
  name: string | null;
  state: string;
  /** While reconnecting: why (refused, not-found, unauthorized, not-video, timeout, stalled, ended, error) and ffmpeg's words. */
  reason: string | null;
  detail: string | null;
  framesIn: number;
  dropped: number;
  scored: number;
  /** Seconds spent scoring this camera's frames, summed over workers. */
  scoreSeconds: number;
  /** ISO-8601, or null when no frame has arrived. */
  lastFrameAt: string | null;
  /**
   * The camera's first fit, run by a worker from the frames ingest collected (null before one was queued):
   * `queued`, `fitting`, `retrying` (after a failed try), `failed` (no more tries; the camera stays learning), `done`.
   */
  learn: { state: string; attempts: number; error: string | null } | null;
  /** Areas never judged and areas watched (polygons of [x, y] in 0–1 of the frame), as configured. */
  masks: { name?: string; polygon: [number, number][] }[];
  zones: { name: string; polygon: [number, number][] }[];
}

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
      learn: hash.learnState ? { state: hash.learnState, attempts: count(hash.learnAttempts), error: hash.learnError || null } : null,
      masks: cam.masks ?? [],
      zones: cam.zones ?? [],
    };
  });
}
