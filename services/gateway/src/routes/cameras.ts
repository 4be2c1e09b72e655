/** `GET /v1/cameras`: the configured cameras with the status ingest keeps for each. */
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Config } from '@vigil/core';
import type { TokenAuth } from '../auth.js';
import { readCameraStatuses } from '../cameraStatus.js';
import { fromRedis } from '../httpErrors.js';

export function registerCameraRoutes(app: FastifyInstance, auth: TokenAuth, redis: Redis, config: Config): void {
  app.get('/v1/cameras', { onRequest: auth.requireToken }, async () => {
    const cameras = await fromRedis(() => readCameraStatuses(redis, config.namespace, config.cameras));
    return { cameras };
  });
}
