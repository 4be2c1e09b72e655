/**
 * `/v1/reviews` on a real fastify app, real Redis and BullMQ, and the worker's real review job
 * runner: a recording on the server is queued, reviewed with the camera's current model, and its
 * report served; bad requests get a 4xx naming the problem.
 */
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, parseConfig, redisKeys, type Config } from '@vigil/core';
import { fitCameraModel, framesWithPrev, renderInjectedVideo, saveCameraModel, type AnomalySpec } from '@vigil/anomaly';
import { decodeFrames } from '@vigil/video';
import { startReviewJobs, type RunningReviewJobs } from '../../worker/src/reviewJobs.js';
import { TokenAuth } from '../src/auth.js';
import { createHttpApp } from '../src/httpErrors.js';
import { registerReviewRoutes } from '../src/routes/reviews.js';

const REDIS_URL = process.env.VIGIL_TEST_REDIS ?? 'redis://127.0.0.1:6379';
const REPO_ROOT = new URL('../../..', import.meta.url).pathname;
const VIEWER = 'viewer-token-1';
const OPERATOR = 'operator-token-1';
const spec: AnomalySpec = {
  kind: 'stopped-vehicle',
  startSeconds: 24,
  durationSeconds: 8,
  enterSeconds: 0.2,
  size: { width: 0.16, height: 0.18 },
  position: { x: 0.55, y: 0.62 },
  velocity: { x: -0.08, y: -0.1 },
};

describe('/v1/reviews', () => {
  const ns = `vigil-revtest-${randomUUID().slice(0, 8)}`;
  let dataDir: string;
  let extraDir: string;
  let outsideDir: string;
  let config: Config;
  let redis: Redis;
  let app: FastifyInstance;
  let jobs: RunningReviewJobs;
  let base = '';
  let recording = '';

  const call = (method: string, path: string, token?: string, body?: unknown) =>
    fetch(`${base}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
  const post = (body: unknown, token = OPERATOR) => call('POST', '/v1/reviews', token, body);
  const errorOf = async (res: Response) => ((await res.json()) as { error: string }).error;

  async function waitForState(id: string, states: string[], timeoutMs = 60_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const body = (await (await call('GET', `/v1/reviews/${id}`, VIEWER)).json()) as Record<string, unknown>;
      if (states.includes(body.state as string)) return body;
      if (Date.now() > deadline) throw new Error(`review ${id} still ${JSON.stringify(body)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'vigil-reviews-data-'));
    extraDir = await mkdtemp(join(tmpdir(), 'vigil-reviews-extra-'));
    outsideDir = await mkdtemp(join(tmpdir(), 'vigil-reviews-outside-'));
    mkdirSync(join(dataDir, 'recordings'));
    config = parseConfig({
      namespace: ns,
      dataDir,
      redis: { url: REDIS_URL },
      gateway: {
        tokens: [
          { token: VIEWER, role: 'viewer' },
          { token: OPERATOR, role: 'operator' },
        ],
      },
      cameras: [
        { id: 'street', url: 'rtsp://127.0.0.1/street' },
        { id: 'untrained', url: 'rtsp://127.0.0.1/x' },
      ],
    });
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });

    // A recording with a vehicle stopping at 24 s (rendered once into test-output), and the camera's model from its first 12 s.
    const video = join(REPO_ROOT, 'test-output', 'review', 'street-stopped-24s.mp4');
    await renderInjectedVideo({ src: join(REPO_ROOT, 'footage/street.mp4'), out: video, anomalies: [spec] });
    recording = join(dataDir, 'recordings', 'street.mp4');
    copyFileSync(video, recording);
    const frames: Uint8Array[] = [];
    let width = 0,
      height = 0;
    for await (const f of decodeFrames(recording, { fps: 5, width: 320, maxFrames: 60 })) {
      frames.push(f.data);
      width = f.width;
      height = f.height;
    }
    // A per-frame appearance member: the default model's stopped-object member waits for half a minute of a recording.
    const model = await fitCameraModel(framesWithPrev(frames, width, height), { cameraId: 'street', members: ['patchGaussian'] });
    await saveCameraModel(model, join(dataDir, 'models', 'street', model.manifest.version));
    await redis.set(redisKeys(ns).modelVersion('street'), model.manifest.version);

    process.env.VIGIL_REVIEW_DIRS = extraDir;
    app = createHttpApp(createLogger('test'));
    registerReviewRoutes(app, { auth: new TokenAuth(config.gateway.tokens), config, redis });
    delete process.env.VIGIL_REVIEW_DIRS;
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    jobs = startReviewJobs(config, { redis });
  }, 180_000);

  afterAll(async () => {
    await jobs?.close();
    await app?.close();
    const left = [...(await redis.keys(`${ns}:*`)), ...(await redis.keys(`bull:${ns}-*`))];
    if (left.length) await redis.del(...left);
    redis.disconnect();
    for (const d of [dataDir, extraDir, outsideDir]) if (d) await rm(d, { recursive: true, force: true });
  });

  it('queues a review of a recording, runs it with the camera model, and serves its report', async () => {
    const res = await post({ file: recording, camera: 'street' });
    expect(res.status).toBe(202);
    const queued = (await res.json()) as { id: string; state: string; url: string };
    expect(queued.state).toBe('queued');
    expect(res.headers.get('location')).toBe(`/v1/reviews/${queued.id}`);

    const done = await waitForState(queued.id, ['completed', 'failed']);
    expect(done.error).toBeUndefined();
    expect(done).toMatchObject({ id: queued.id, camera: 'street', state: 'completed', requestedBy: 'operator', alerts: expect.any(Number) });
    const report = done.report as { alerts: { start: number; end: number; thumbnail: string }[]; durationSeconds: number; processingSeconds: number };
    expect(report.durationSeconds).toBeCloseTo(37.6, 0);
    expect(report.processingSeconds).toBeGreaterThan(0);
    const stopped = report.alerts.find((a) => Math.abs(a.start - spec.startSeconds) <= 0.5);
    expect(stopped, JSON.stringify(report.alerts)).toBeDefined();

    const list = (await (await call('GET', '/v1/reviews', VIEWER)).json()) as { reviews: { id: string; state: string; alerts?: number; reportUrl?: string }[] };
    expect(list.reviews.find((r) => r.id === queued.id)).toMatchObject({ state: 'completed', alerts: report.alerts.length, reportUrl: `/v1/reviews/${queued.id}/report.html` });

    const html = await call('GET', `/v1/reviews/${queued.id}/report.html`, VIEWER);
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html.headers.get('content-security-policy')).toContain("default-src 'none'");
    const page = await html.text();
    expect(page).toContain('<svg id="timeline"');
    expect(page).not.toMatch(/(src|href)="https?:/);

    const thumb = await call('GET', `/v1/reviews/${queued.id}/${stopped!.thumbnail}`, VIEWER);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await thumb.arrayBuffer()).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    expect((await call('GET', `/v1/reviews/${queued.id}/thumbs/99.jpg`, VIEWER)).status).toBe(404);
    expect((await call('GET', `/v1/reviews/${queued.id}/thumbs/..%2Freport.json`, VIEWER)).status).toBe(400);
  }, 90_000);

  it('fails a review of a file that is not a video, with the reason, and allows paths in VIGIL_REVIEW_DIRS', async () => {
    const notVideo = join(extraDir, 'notes.mp4');
    writeFileSync(notVideo, 'not a video at all');
    const res = await post({ file: notVideo, camera: 'street' });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    const failed = await waitForState(id, ['completed', 'failed']);
    expect(failed.state).toBe('failed');
    expect(failed.error).toMatch(/cannot probe .*notes\.mp4/);
    expect((await call('GET', `/v1/reviews/${id}/report.html`, VIEWER)).status).toBe(404);
  });

  it('lets only operators and admins queue reviews; any token reads them', async () => {
    expect((await post({ file: recording, camera: 'street' }, '')).status).toBe(401);
    const viewer = await post({ file: recording, camera: 'street' }, VIEWER);
    expect(viewer.status).toBe(403);
    expect(await errorOf(viewer)).toMatch(/viewer.*operator or admin/);
    expect((await call('GET', '/v1/reviews')).status).toBe(401);
    expect((await call('GET', '/v1/reviews', VIEWER)).status).toBe(200);
  });

  it('refuses files outside the allowed directories, through .. or a symlink', async () => {
    const outside = join(outsideDir, 'secret.mp4');
    writeFileSync(outside, 'x');
    const link = join(dataDir, 'recordings', 'link.mp4');
    symlinkSync(outside, link);
    for (const file of [outside, join(dataDir, 'recordings', '..', 'models', 'x.mp4'), link, '/etc/passwd']) {
      const res = await post({ file, camera: 'street' });
      expect(res.status, file).toBe(403);
      expect(await errorOf(res)).toMatch(/not under a directory allowed for review/);
    }
  });

  it('answers malformed requests with a 4xx naming the problem', async () => {
    const cases: [unknown, number, RegExp][] = [
      [[1, 2], 400, /JSON object/],
      [{ file: recording }, 400, /camera must be/],
      [{ file: recording, camera: 'nope' }, 400, /unknown camera "nope"/],
      [{ camera: 'street' }, 400, /file must be a path/],
      [{ file: 'recordings/street.mp4', camera: 'street' }, 400, /absolute path/],
      [{ file: recording, camera: 'street', priority: 1 }, 400, /unknown field "priority"/],
      [{ file: join(dataDir, 'recordings', 'missing.mp4'), camera: 'street' }, 404, /file not found on the server/],
      [{ file: join(dataDir, 'recordings'), camera: 'street' }, 403, /not under a directory/],
      [{ file: recording, camera: 'untrained' }, 409, /"untrained" has no model yet/],
      ['{"file": ', 400, /JSON/i],
    ];
    for (const [body, status, message] of cases) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(await errorOf(res), JSON.stringify(body)).toMatch(message);
    }
    const wrongType = await fetch(`${base}/v1/reviews`, { method: 'POST', headers: { authorization: `Bearer ${OPERATOR}`, 'content-type': 'text/plain' }, body: 'hello' });
    expect(wrongType.status).toBe(415);
    expect(await errorOf(wrongType)).toMatch(/application\/json/);
    expect((await call('GET', '/v1/reviews/not-an-id', VIEWER)).status).toBe(400);
    expect((await call('GET', '/v1/reviews/rev-000000000-00000000', VIEWER)).status).toBe(404);
  });
});
