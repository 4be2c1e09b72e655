/**
 * Each scored frame's score, regions and members on a capped Redis Stream per camera
 * (`scoreTimeline` key, about the last hour), which the gateway reads for the dashboard's live tile
 * overlay and per-camera score timeline. Entry: one field `s` holding a ScorePoint as JSON.
 */
import type { ChainableCommander, Redis } from 'ioredis';
import type { FrameScore, RedisKeys, ScorePoint } from '@vigil/core';

/** About one hour at 5 analysed frames a second; trimmed approximately (`MAXLEN ~`), which is cheap. */
export const SCORE_TIMELINE_MAXLEN = 18_000;

const round = (n: number) => Math.round(n * 1000) / 1000;

export function toScorePoint(score: FrameScore): ScorePoint {
  return {
    seq: score.seq,
    t: score.capturedAt,
    score: round(score.score),
    regions: score.regions.map((r) => ({ x: round(r.x), y: round(r.y), width: round(r.width), height: round(r.height), score: round(r.score) })),
    members: Object.fromEntries(Object.entries(score.members).map(([k, v]) => [k, round(v)])),
    threshold: 1,
    ...(score.gated ? { gated: true as const } : {}),
  };
}

/** Queues the append on a pipeline or MULTI, so the worker writes a frame's score and status in one round trip. */
export function appendScoreTo<T extends ChainableCommander>(pipeline: T, keys: RedisKeys, score: FrameScore, maxLen = SCORE_TIMELINE_MAXLEN): T {
  pipeline.xadd(keys.scoreTimeline(score.cameraId), 'MAXLEN', '~', maxLen, '*', 's', JSON.stringify(toScorePoint(score)));
  return pipeline;
}

/** Appends one frame's score; a failure is the caller's to log, the frame's scoring stands. */
export async function appendScore(redis: Redis, keys: RedisKeys, score: FrameScore, maxLen = SCORE_TIMELINE_MAXLEN): Promise<void> {
  const [result] = (await appendScoreTo(redis.pipeline(), keys, score, maxLen).exec()) ?? [];
  if (result?.[0]) throw result[0];
}
