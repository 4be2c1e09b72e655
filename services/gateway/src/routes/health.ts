/** `GET /healthz`: 200 when Redis answers a PING within a second, else 503. */
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';

async function pingWithin(redis: Redis, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([redis.ping().then((r) => r === 'PONG', () => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function registerHealthRoute(app: FastifyInstance, redis: Redis): void {
  app.get('/healthz', async (_request, reply) => {
    const ok = await pingWithin(redis, 1000);
    return reply.code(ok ? 200 : 503).send(ok ? { status: 'ok', redis: 'ok' } : { status: 'unavailable', redis: 'down' });
  });
}
