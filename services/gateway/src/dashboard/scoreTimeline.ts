/**
 * Reads the per-camera score timelines workers append (services/worker/src/scoreTimeline.ts: a capped
 * Redis Stream, one field `s` with a ScorePoint as JSON) and serves them for the dashboard:
 * `GET /v1/cameras/:id/scores?minutes=60` answers the last minutes bucketed to at most ~720 points,
 * each bucket's highest score, so a spike is never averaged away.
 */
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Config, RedisKeys, ScorePoint } from '@vigil/core';
import type { TokenAuth } from '../auth.js';
import { fromRedis } from '../httpErrors.js';

export interface ScoreTimeline {
  camera: string;
  /** 1: scores are normalised to the camera's calibrated threshold. */
  threshold: number;
  from: string;
  to: string;
  bucketSeconds: number;
  /** [time ms, highest score in the bucket, 1 when every frame of the bucket was gated] */
  points: [number, number, number][];
}

const MAX_POINTS = 720;
const MAX_MINUTES = 24 * 60;

export function parseScoreEntry(fields: string[]): ScorePoint | undefined {
  const i = fields.indexOf('s');
  const raw = i >= 0 && i % 2 === 0 ? fields[i + 1] : undefined;
  if (!raw) return undefined;
  try {
    const p = JSON.parse(raw) as Partial<ScorePoint>;
    if (typeof p.t !== 'number' || typeof p.score !== 'number' || !Number.isFinite(p.score)) return undefined;
    return { seq: p.seq ?? 0, t: p.t, score: p.score, regions: Array.isArray(p.regions) ? p.regions : [], members: p.members ?? {}, threshold: 1, ...(p.gated ? { gated: true } : {}) };
  } catch {
    return undefined;
  }
}

/** Points of the last `minutes`, bucketed by capture time; reads the stream in pages so a long hour never blocks Redis. */
export async function readScoreTimeline(redis: Redis, keys: RedisKeys, camera: string, minutes: number, now = Date.now()): Promise<ScoreTimeline> {
  const from = now - minutes * 60_000;
  const bucketMs = Math.max(1000, Math.ceil((minutes * 60_000) / MAX_POINTS / 1000) * 1000);
  const buckets = new Map<number, { max: number; allGated: boolean }>();
  // Entry ids are append times (≥ capture times), so the id range can start at `from`.
  let start = String(from);
  for (;;) {
    const entries = await redis.xrange(keys.scoreTimeline(camera), start, '+', 'COUNT', 2000);
    for (const [, fields] of entries) {
      const p = parseScoreEntry(fields);
      if (!p || p.t < from) continue;
      const b = Math.floor(p.t / bucketMs) * bucketMs;
      const cur = buckets.get(b);
      if (!cur) buckets.set(b, { max: p.score, allGated: !!p.gated });
      else {
        cur.max = Math.max(cur.max, p.score);
        cur.allGated &&= !!p.gated;
      }
    }
    const last = entries.at(-1);
    if (!last || entries.length < 2000) break;
    start = `(${last[0]}`;
  }
  const points = [...buckets.entries()].sort((a, b) => a[0] - b[0]).map(([t, v]) => [t, Math.round(v.max * 1000) / 1000, v.allGated ? 1 : 0] as [number, number, number]);
  return { camera, threshold: 1, from: new Date(from).toISOString(), to: new Date(now).toISOString(), bucketSeconds: bucketMs / 1000, points };
}

export function registerScoreRoutes(app: FastifyInstance, auth: TokenAuth, redis: Redis, keys: RedisKeys, config: Config): void {
  const cameras = new Set(config.cameras.map((c) => c.id));
  app.get<{ Params: { id: string }; Querystring: Record<string, unknown> }>('/v1/cameras/:id/scores', { onRequest: auth.requireToken }, async (request, reply) => {
    const { id } = request.params;
    if (!cameras.has(id)) return reply.code(404).send({ error: `no camera ${JSON.stringify(id.slice(0, 64))}` });
    const extra = Object.keys(request.query).filter((k) => k !== 'minutes' && k !== 'token');
    if (extra.length) return reply.code(400).send({ error: `unknown query parameter "${extra[0]}"; expected minutes` });
    const raw = request.query.minutes;
    const minutes = raw === undefined ? 60 : typeof raw === 'string' && /^\d{1,4}$/.test(raw) ? Number(raw) : NaN;
    if (!(minutes >= 1 && minutes <= MAX_MINUTES)) return reply.code(400).send({ error: `minutes must be an integer from 1 to ${MAX_MINUTES}` });
    return fromRedis(() => readScoreTimeline(redis, keys, id, minutes));
  });
}
