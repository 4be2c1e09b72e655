/** Every HTTP error is JSON `{error}`: 4xx for the caller's mistakes, 503 when Redis is unreachable. */
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifySchemaValidationError } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Logger } from '@vigil/core';

/**
 * The gateway's HTTP server before its routes: requests validated and responses serialised with the wire
 * contract's zod schemas, and every error one line of JSON.
 */
export function createHttpApp(log: Logger): FastifyInstance {
  const app = Fastify({
    logger: false,
    bodyLimit: 64 * 1024,
    // Errors raised before routing (a malformed URL) bypass the error handler; keep them JSON too.
    frameworkErrors: (error, _request, reply) => void (reply as FastifyReply).code(error.statusCode ?? 400).send({ error: error.message }),
    // A request that fails its schema gets one line naming the field (see requestErrorOf).
    schemaErrorFormatter: requestErrorOf,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorReplies(app, log);
  return app;
}

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

/**
 * The one-line error of a request that failed its schema: the first problem, in the schema's own words
 * when they name the field (the wire contract writes them so), else with where it is (`body.note: …`).
 */
export function requestErrorOf(errors: FastifySchemaValidationError[], dataVar: string): Error {
  const first = errors[0];
  const path = (first?.instancePath ?? '').split('/').filter(Boolean);
  const message = first?.message ?? 'is invalid';
  const field = path.at(-1);
  const named = field === undefined ? /^(body|query|unknown|[a-z]+ must)/.test(message) : message.includes(field);
  const where = [dataVar === 'querystring' ? 'query' : dataVar, ...path].join('.');
  return new Error(named ? message : `${where}: ${message}`);
}
