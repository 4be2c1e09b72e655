/** `GET /v1/alerts/:id/snapshot.jpg`: the JPEG a worker stored for an alert. */
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { redisKeys, type Config } from '@vigil/core';
import type { TokenAuth } from '../auth.js';
import { fromRedis } from '../httpErrors.js';

const ALERT_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export function registerSnapshotRoute(app: FastifyInstance, auth: TokenAuth, redis: Redis, config: Config): void {
  app.get<{ Params: { id: string } }>('/v1/alerts/:id/snapshot.jpg', { onRequest: auth.requireToken }, async (request, reply) => {
    const { id } = request.params;
    if (!ALERT_ID.test(id)) return reply.code(400).send({ error: 'malformed alert id' });
    const jpeg = await fromRedis(() => redis.getBuffer(redisKeys(config.namespace).snapshot(id)));
    if (!jpeg) return reply.code(404).send({ error: `no snapshot for alert ${id}` });
    return reply.type('image/jpeg').header('cache-control', 'private, max-age=3600').send(jpeg);
  });
}
