/** `GET /v1/openapi.json`: the OpenAPI 3.1 document of every gateway route (no token needed). */
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';

const DOCUMENT = readFileSync(new URL('../openapi.json', import.meta.url), 'utf8');

export function registerOpenApiRoute(app: FastifyInstance): void {
  app.get('/v1/openapi.json', async (_request, reply) => reply.type('application/json; charset=utf-8').send(DOCUMENT));
}
