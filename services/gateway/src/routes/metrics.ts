/** `GET /metrics`: Prometheus text, with Redis-backed gauges refreshed for each scrape. */
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Config } from '@vigil/core';
import type { GatewayMetrics } from '../metrics.js';

export function registerMetricsRoute(app: FastifyInstance, metrics: GatewayMetrics, redis: Redis, config: Config): void {
  const schema = {
    summary: 'Prometheus metrics',
    description: 'Per camera frames in, dropped and scored, score seconds and state; alert events read and pushed; live clients; webhook deliveries.',
    security: [],
    response: { 200: { description: 'Prometheus text exposition', content: { 'text/plain': { schema: z.string() } } } },
  };
  app.get('/metrics', { schema }, async (_request, reply) => {
    await metrics.refreshFromRedis(redis, config.namespace, config.cameras);
    return reply.type(metrics.registry.contentType).send(await metrics.text());
  });
}
