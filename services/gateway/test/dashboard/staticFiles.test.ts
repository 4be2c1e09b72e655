/** The gateway serves the built dashboard at `/`, and a 503 page that says how to build it when it is missing. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { registerDashboardFiles } from '../../src/dashboard/staticFiles.js';

async function serve(dir: string) {
  const app = Fastify();
  registerDashboardFiles(app, dir);
  await app.ready();
  return app;
}

describe('dashboard files', () => {
  it('answers 503 with the build command when the dashboard is not built', async () => {
    const app = await serve(join(tmpdir(), 'vigil-no-such-dist'));
    const res = await app.inject({ url: '/' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.body).toContain('pnpm --filter @vigil/dashboard build');
    await app.close();
  });

  it('serves index.html with a same-origin CSP and hashed assets, and nothing outside assets/', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-dist-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>vigil</title>');
    writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
    writeFileSync(join(dir, 'secret.txt'), 'no');
    const app = await serve(dir);
    const index = await app.inject({ url: '/' });
    expect(index.statusCode).toBe(200);
    expect(index.body).toContain('<title>vigil</title>');
    expect(index.headers['content-security-policy']).toContain("default-src 'self'");
    const js = await app.inject({ url: '/assets/index-abc123.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toMatch(/javascript/);
    expect(js.headers['cache-control']).toContain('immutable');
    expect((await app.inject({ url: '/assets/..%2Fsecret.txt' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/assets/missing.js' })).statusCode).toBe(404);
    await app.close();
  });
});
