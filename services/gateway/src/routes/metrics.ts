/** `GET /metrics`: Prometheus text, with Redis-backed gauges refreshed for each scrape. */
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Config } from '@vigil/core';
import type { GatewayMetrics } from '../metrics.js';

export function registerMetricsRoute(app: FastifyInstance, metrics: GatewayMetrics, redis: Redis, config: Config): void {
  app.get('/metrics', async (_request, reply) => {
    await metrics.refreshFromRedis(redis, config.namespace, config.cameras);
    return reply.type(metrics.registry.contentType).send(await metrics.text());
  });
}
