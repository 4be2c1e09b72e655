/**
 * Reads the per-camera score timelines workers append (services/worker/src/scoreTimeline.ts: a capped
 * Redis Stream, one field `s` with a ScorePoint as JSON) and serves them for the dashboard:
 * `GET /v1/cameras/:id/scores?minutes=60` answers the last minutes bucketed to at most ~720 points,
 * each bucket's highest score, so a spike is never averaged away.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { errorSchema, scoreTimelineSchema, type Config, type RedisKeys, type ScorePoint, type ScoreTimeline } from '@vigil/core';
import type { TokenAuth } from '../auth.js';
import { fromRedis } from '../httpErrors.js';

export type { ScoreTimeline };

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

const minutesMessage = `minutes must be an integer from 1 to ${MAX_MINUTES}`;
const scoresQuery = z.strictObject(
  {
    minutes: z
      .string({ error: minutesMessage })
      .regex(/^\d{1,4}$/, minutesMessage)
      .transform(Number)
      .refine((m) => m >= 1 && m <= MAX_MINUTES, minutesMessage)
      .optional()
      .describe('How far back, minutes (default 60)'),
    token: z.string().optional().describe('The token, when not sent as a header'),
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown query parameter "${iss.keys[0]}"; expected minutes` : undefined) },
);

export function registerScoreRoutes(app: FastifyInstance, auth: TokenAuth, redis: Redis, keys: RedisKeys, config: Config): void {
  const cameras = new Set(config.cameras.map((c) => c.id));
  const schema = {
    summary: "A camera's score timeline",
    description: 'The last minutes of scores, bucketed to at most ~720 points, each the highest score of its bucket (a spike is never averaged away).',
    params: z.object({ id: z.string() }),
    querystring: scoresQuery,
    response: { 200: scoreTimelineSchema, 400: errorSchema, 401: errorSchema, 404: errorSchema, 503: errorSchema },
  };
  app.withTypeProvider<ZodTypeProvider>().get('/v1/cameras/:id/scores', { schema, onRequest: auth.requireToken }, async (request, reply) => {
    const { id } = request.params;
    if (!cameras.has(id)) return reply.code(404).send({ error: `no camera ${JSON.stringify(id.slice(0, 64))}` });
    return fromRedis(() => readScoreTimeline(redis, keys, id, request.query.minutes ?? 60));
  });
}
