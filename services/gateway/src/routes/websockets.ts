/**
 * The WebSocket endpoints as routes, so the OpenAPI document describes them and a plain HTTP request gets
 * a clear answer (426). Upgrades never reach these handlers: the HTTP server hands them to the hubs
 * (live.ts, dashboard/) before routing.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorSchema } from '@vigil/core';

const upgradeRequired = { 426: errorSchema.describe('A plain HTTP request: connect with `Upgrade: websocket`'), 401: errorSchema, 404: errorSchema };

const ENDPOINTS = [
  {
    url: '/v1/live',
    summary: 'Live alert events (WebSocket)',
    description:
      'Upgrade to a WebSocket (`ws://HOST:PORT/v1/live`) with a token. The gateway sends LiveMessage JSON text messages: `hello` on connect; an AlertEvent (`type: "alert"`) for each alert event; `heartbeat` every heartbeatSeconds (with a ping; clients that do not answer are dropped); `error` for a message it could not take (the connection stays). The client may send LiveSubscribe: only those cameras from then on, and with `since` every event after it is replayed first (from the Redis Stream, then the alert history), in id order, without duplicates; then `subscribed`. Slow consumers are cut off.',
  },
  {
    url: '/v1/preview',
    summary: "The dashboard's camera wall (WebSocket)",
    description:
      "Upgrade with a token, then send PreviewWatch. The gateway sends `hello` (the cameras it knows), each watched camera's analysed frames as binary messages (`[uint32 BE header length][PreviewHeader JSON][JPEG]`, a few a second) and its scores as PreviewMessage `score`; `error` for a message it could not take.",
  },
  {
    url: '/v1/stream/:camera',
    summary: 'A camera at full rate (WebSocket)',
    description: "Upgrade with a token: the camera's own stream as MPEG-1 in MPEG-TS (for JSMpeg), relayed by one ffmpeg per camera however many watch; 404 for an unknown camera.",
  },
] as const;

export function registerWebSocketDocs(app: FastifyInstance): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  for (const { url, summary, description } of ENDPOINTS) {
    api.get(
      url,
      { schema: { summary, description, tags: ['websocket'], ...(url.includes(':camera') ? { params: z.object({ camera: z.string() }) } : {}), response: upgradeRequired } },
      async (_request, reply) =>
        reply
          .code(426)
          .header('upgrade', 'websocket')
          .send({ error: `${url.replace(':camera', '<camera>')} is a WebSocket endpoint: connect with Upgrade: websocket` }),
    );
  }
}
