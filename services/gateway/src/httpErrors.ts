/** Every HTTP error is JSON `{error}`: 4xx for the caller's mistakes, 503 when Redis is unreachable. */
import type { FastifyError, FastifyInstance } from 'fastify';
import type { Logger } from '@vigil/core';

/** Redis could not answer; the request may succeed later. */
export class RedisUnavailableError extends Error {
  readonly statusCode = 503;
  constructor(cause: unknown) {
    super('redis unavailable', { cause });
    this.name = 'RedisUnavailableError';
  }
}

/** Runs a Redis read, turning any failure into a 503. */
export async function fromRedis<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    throw new RedisUnavailableError(err);
  }
}

export function installErrorReplies(app: FastifyInstance, log: Logger): void {
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({ error: `no route ${request.method} ${request.url.split('?')[0]}` });
  });
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) return reply.code(status).send({ error: err.message });
    if (err instanceof RedisUnavailableError) {
      log.warn('request failed: redis unavailable', { url: request.url.split('?')[0], error: err.cause });
      return reply.code(503).send({ error: err.message });
    }
    log.error('request failed', { url: request.url.split('?')[0], error: err });
    return reply.code(500).send({ error: 'internal error' });
  });
}
