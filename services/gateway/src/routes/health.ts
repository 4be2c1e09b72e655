/**
 * `GET /healthz`: 503 when Redis does not answer a PING within a second; else 200, with `status:
 * "degraded"` and the cameras concerned when a camera delivers frames that nobody scores (no worker
 * running, every frame skipped for want of a model, a camera whose first fit failed) for `gateway.unscoredSeconds`
 * (a camera still learning is not counted). Degraded is not
 * 503: the gateway itself is fine, and an orchestrator restarting it would not help.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Redis } from 'ioredis';
import { healthSchema, redisKeys, type Config } from '@vigil/core';

async function pingWithin(redis: Redis, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([
      redis.ping().then(
        (r) => r === 'PONG',
        () => false,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Cameras that deliver frames (one published within the window) of which none was scored for the
 * window: the newest scored frame is older than it, or, with none recorded (a camera that never had a
 * worker, or a Redis that lost its counters), this gateway has seen it so for the whole window.
 */
export class UnscoredCameras {
  /** Since when (ms) a camera has been seen flowing with no scored frame recorded at all. */
  private readonly neverScoredSince = new Map<string, number>();

  constructor(
    private readonly redis: Redis,
    private readonly config: Config,
  ) {}

  async check(nowMs = Date.now()): Promise<string[]> {
    const keys = redisKeys(this.config.namespace);
    const limit = this.config.gateway.unscoredSeconds * 1000;
    const pipeline = this.redis.pipeline();
    for (const cam of this.config.cameras) pipeline.hmget(keys.cameraStatus(cam.id), 'lastFrameAt', 'lastScoredAt', 'state', 'learnState');
    const replies = (await pipeline.exec()) ?? [];
    return this.config.cameras.flatMap((cam, i) => {
      const [err, value] = replies[i] ?? [null, null];
      const fields = !err && Array.isArray(value) ? (value as (string | null)[]) : [];
      const [frameAt, scoredAt] = [fields[0], fields[1]].map((v) => (v == null ? NaN : Number(v)));
      // A camera still learning is not scored by design, unless its fit failed for good.
      const learning = fields[2] === 'learning' && fields[3] !== 'failed';
      const flowing = !learning && nowMs - frameAt! < limit;
      if (!flowing || Number.isFinite(scoredAt)) this.neverScoredSince.delete(cam.id);
      if (!flowing) return [];
      if (Number.isFinite(scoredAt)) return nowMs - scoredAt! >= limit ? [cam.id] : [];
      const since = this.neverScoredSince.get(cam.id) ?? nowMs;
      this.neverScoredSince.set(cam.id, since);
      return nowMs - since >= limit ? [cam.id] : [];
    });
  }
}

export function registerHealthRoute(app: FastifyInstance, redis: Redis, config: Config): void {
  const watch = new UnscoredCameras(redis, config);
  const schema = {
    summary: 'Health',
    description:
      '503 when Redis does not answer within a second; 200 `degraded` with the cameras whose frames go unscored for gateway.unscoredSeconds (no worker, no model, a failed first fit); a camera still learning is not counted.',
    security: [],
    response: { 200: healthSchema, 503: healthSchema },
  };
  app.withTypeProvider<ZodTypeProvider>().get('/healthz', { schema }, async (_request, reply) => {
    const ok = await pingWithin(redis, 1000);
    if (!ok) return reply.code(503).send({ status: 'unavailable', redis: 'down' });
    const unscored = await watch.check().catch((): string[] => []);
    return reply.code(200).send(unscored.length ? { status: 'degraded', redis: 'ok', unscored } : { status: 'ok', redis: 'ok' });
  });
}
