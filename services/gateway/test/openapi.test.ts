/**
 * The OpenAPI document is generated from the routes' schemas: it must list every route the gateway
 * serves under /v1 (walked from Fastify's own route table) with each method, and its components must
 * resolve. A route added without a schema, or hidden, fails here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type Gateway } from '../src/index.js';
import { testConfig } from './helpers.js';

let gateway: Gateway;
let doc: { openapi: string; paths: Record<string, Record<string, { summary?: string; responses?: Record<string, unknown> }>>; components: { schemas: Record<string, unknown> } };

beforeAll(async () => {
  gateway = await startGateway(testConfig());
  doc = (await (await fetch(`${gateway.url}/v1/openapi.json`)).json()) as typeof doc;
});
afterAll(() => gateway?.close());

/** Fastify's `/v1/alerts/:id` as OpenAPI writes it: `/v1/alerts/{id}`. */
const openApiPath = (url: string) => url.replace(/:([A-Za-z]+)/g, '{$1}');

describe('GET /v1/openapi.json', () => {
  it('lists every /v1 route of the gateway, each method with a summary and its responses', () => {
    const v1 = gateway.routes.filter((r) => r.url.startsWith('/v1/'));
    // The walk sees the routes the gateway has: the alert history, reviews, scores, the WebSockets.
    expect(v1.map((r) => `${r.method} ${r.url}`)).toEqual(
      expect.arrayContaining([
        'GET /v1/alerts',
        'POST /v1/alerts/:id/ack',
        'POST /v1/reviews',
        'GET /v1/reviews/:id/thumbs/:name',
        'GET /v1/cameras/:id/scores',
        'GET /v1/live',
        'GET /v1/preview',
        'GET /v1/stream/:camera',
      ]),
    );
    const missing = v1.filter((r) => !doc.paths[openApiPath(r.url)]?.[r.method.toLowerCase()]).map((r) => `${r.method} ${r.url}`);
    expect(missing).toEqual([]);
    for (const r of v1) {
      const op = doc.paths[openApiPath(r.url)]![r.method.toLowerCase()]!;
      expect({ route: `${r.method} ${r.url}`, summary: typeof op.summary, responses: Object.keys(op.responses ?? {}).length > 0 }).toEqual({
        route: `${r.method} ${r.url}`,
        summary: 'string',
        responses: true,
      });
    }
  });

  it('is OpenAPI 3.1, with the wire contract as components, and every $ref resolves', () => {
    expect(doc.openapi).toBe('3.1.0');
    for (const name of ['Alert', 'AlertEvent', 'StoredAlert', 'CameraStatus', 'ScoreTimeline', 'ReviewSummary', 'LiveMessage', 'LiveSubscribe', 'PreviewMessage', 'Error'])
      expect(doc.components.schemas).toHaveProperty(name);
    const refs = JSON.stringify(doc).match(/"#\/components\/schemas\/[A-Za-z]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) expect(doc.components.schemas).toHaveProperty(ref.slice(22, -1));
  });

  it('documents nothing the gateway does not serve', () => {
    const served = new Set(gateway.routes.map((r) => `${r.method.toLowerCase()} ${openApiPath(r.url)}`));
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`));
    expect(documented.filter((d) => !served.has(d))).toEqual([]);
  });
});
