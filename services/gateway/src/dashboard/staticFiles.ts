/**
 * Serves the dashboard's built files (services/dashboard/dist, made by `pnpm --filter @vigil/dashboard build`)
 * at `/`. The files are public; everything they show comes from token-checked `/v1/` routes. When the
 * build is missing, `/` answers a 503 page that says how to build it.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

export const DEFAULT_DASHBOARD_DIR = resolve(fileURLToPath(new URL('../../../dashboard/dist', import.meta.url)));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
};
// Built asset names: Vite's `name-hash.ext`, no folders, no dots at the start.
const ASSET = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}$/;
// Same-origin everything; jsmpeg compiles its bundled WebAssembly decoder ('wasm-unsafe-eval'); reports open in a frame.
const PAGE_CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
  "connect-src 'self' ws: wss:; frame-src 'self'; object-src 'none'; base-uri 'none'";

const NOT_BUILT = (dir: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>vigil — dashboard not built</title></head>
<body style="font-family:system-ui,sans-serif;max-width:40em;margin:4em auto;line-height:1.5">
<h1>The vigil dashboard is not built</h1>
<p>The gateway serves the dashboard from <code>${dir.replace(/[<>&]/g, '')}</code>, which has no <code>index.html</code>.
Build it with:</p>
<pre>pnpm --filter @vigil/dashboard build</pre>
<p>The API (<code>/v1/…</code>) and the live WebSocket work without it.</p>
</body></html>
`;

export function registerDashboardFiles(app: FastifyInstance, dir: string = DEFAULT_DASHBOARD_DIR): void {
  const index = join(dir, 'index.html');
  const sendIndex = async (reply: FastifyReply) => {
    // Looked up per request, so building while the gateway runs needs no restart.
    if (!existsSync(index)) return reply.code(503).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(NOT_BUILT(dir));
    return reply
      .type(TYPES['.html']!)
      .header('cache-control', 'no-cache')
      .header('content-security-policy', PAGE_CSP)
      .send(await readFile(index));
  };
  // The page, not the API: left out of the OpenAPI document.
  const page = { schema: { hide: true } };
  app.get('/', page, (_request, reply) => sendIndex(reply));
  app.get('/index.html', page, (_request, reply) => sendIndex(reply));
  app.get<{ Params: { name: string } }>('/assets/:name', page, async (request, reply) => {
    const { name } = request.params;
    const type = TYPES[extname(name)];
    const file = join(dir, 'assets', name);
    if (!ASSET.test(name) || !type || !existsSync(file)) return reply.code(404).send({ error: `no dashboard asset ${name.slice(0, 128)}` });
    // Names carry a content hash: a changed file is a new name.
    return reply
      .type(type)
      .header('cache-control', 'public, max-age=31536000, immutable')
      .send(await readFile(file));
  });
}
