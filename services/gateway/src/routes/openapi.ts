/**
 * The OpenAPI 3.1 document, generated from the routes' zod schemas (the wire contract in
 * @vigil/core's wire.ts) by @fastify/swagger, served at `GET /v1/openapi.json` without a token.
 * Register it before any route: it collects routes as they are added.
 */
import fastifySwagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';

const DESCRIPTION = [
  'HTTP API of the vigil gateway, generated from the schemas it validates with.',
  'Every `/v1/` route except this document needs a token, as `Authorization: Bearer <token>` or `?token=<token>`.',
  'Roles: `viewer` reads; `operator` also acknowledges alerts, gives feedback and queues reviews; `admin` also configures.',
  'Every error is JSON `{"error": "<what is wrong>"}`: 4xx for the caller\'s mistakes, 503 when Redis or PostgreSQL cannot answer.',
  "WebSockets: `/v1/live` (alert events), `/v1/preview` (the dashboard's camera wall), `/v1/stream/{camera}` (full-rate view); their messages are the LiveMessage, LiveSubscribe, PreviewMessage, PreviewWatch and PreviewHeader schemas.",
].join('\n\n');

export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'vigil gateway', version: '1.0.0', description: DESCRIPTION },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          queryToken: { type: 'apiKey', in: 'query', name: 'token' },
        },
      },
      security: [{ bearer: [] }, { queryToken: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  app.get('/v1/openapi.json', { schema: { summary: 'This document', security: [] } }, async (_request, reply) => reply.type('application/json; charset=utf-8').send(app.swagger()));
}
