/** `GET /v1/cameras`: the configured cameras with the status ingest keeps for each. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Redis } from 'ioredis';
import { camerasResponseSchema, errorSchema, type Config } from '@vigil/core';
import type { TokenAuth } from '../auth.js';
import { readCameraStatuses } from '../cameraStatus.js';
import { fromRedis } from '../httpErrors.js';

export function registerCameraRoutes(app: FastifyInstance, auth: TokenAuth, redis: Redis, config: Config): void {
  const schema = { summary: 'Cameras and their status', response: { 200: camerasResponseSchema, 401: errorSchema, 503: errorSchema } };
  app.withTypeProvider<ZodTypeProvider>().get('/v1/cameras', { schema, onRequest: auth.requireToken }, async () => {
    const cameras = await fromRedis(() => readCameraStatuses(redis, config.namespace, config.cameras));
    return { cameras };
  });
}
