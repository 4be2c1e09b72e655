/**
 * The dashboard's live channel against real Redis: preview frames published by ingest's PreviewPublisher
 * and scores appended by the worker reach a `/v1/preview` client for the cameras it watches, and only then;
 * the score timeline route buckets the stream.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { redisKeys, type FrameScore } from '@vigil/core';
import { PreviewPublisher, unpackPreviewFrame } from '../../../ingest/src/previewPublisher.js';
import { appendScore } from '../../../worker/src/scoreTimeline.js';
import { startHarness, VIEWER_TOKEN, type Harness } from '../helpers.js';

let h: Harness;
let base: string;

beforeAll(async () => {
  h = await startHarness();
  base = h.gateway.url;
});
afterAll(() => h.stop());

interface Received {
  json: Record<string, unknown>[];
  binary: Buffer[];
}

async function connect(token = VIEWER_TOKEN): Promise<{ ws: WebSocket; got: Received }> {
  const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/v1/preview?token=${token}`);
  const got: Received = { json: [], binary: [] };
  ws.on('message', (data, isBinary) => (isBinary ? got.binary.push(data as Buffer) : got.json.push(JSON.parse(data.toString()) as Record<string, unknown>)));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, got };
}

const frame = (seq: number) => ({ cameraId: 'cam1', seq, capturedAt: Date.now(), width: 32, height: 16, data: new Uint8Array(32 * 16 * 3).fill(seq * 20) });

const score = (value: number, capturedAt = Date.now()): FrameScore => ({
  cameraId: 'cam1',
  seq: 1,
  capturedAt,
  score: value,
  frame: { width: 320, height: 176 },
  regions: value > 1 ? [{ x: 0.1, y: 0.2, width: 0.3, height: 0.25, score: value }] : [],
  members: { patchGaussian: value },
  modelVersion: 'v1',
});

describe('/v1/preview', () => {
  it('refuses a connection without a valid token with 401', async () => {
    const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/v1/preview?token=wrong-token-123`);
    const status = await new Promise<number>((resolve) => ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    expect(status).toBe(401);
  });

  it('answers a malformed or unknown watch with an error and keeps the connection', async () => {
    const { ws, got } = await connect();
    ws.send('not json');
    ws.send(JSON.stringify({ type: 'watch', cameras: ['nope'] }));
    await expect.poll(() => got.json.filter((m) => m.type === 'error').length).toBe(2);
    expect(got.json.find((m) => m.type === 'error' && String(m.message).includes('nope'))).toBeDefined();
    expect(ws.readyState).toBe(WebSocket.OPEN);
    ws.close();
  });

  it('forwards preview frames and scores of watched cameras only, and ingest encodes nothing while nobody watches', async () => {
    const keys = redisKeys(h.config.namespace);
    const publisher = new PreviewPublisher(h.redis, keys, 'cam1', { maxFps: 50, listenerCheckMs: 50 });
    publisher.offer(frame(1));
    await new Promise((r) => setTimeout(r, 150));
    publisher.offer(frame(2));
    expect(publisher.sent).toBe(0);

    const { ws, got } = await connect();
    expect(got.json[0]).toMatchObject({ type: 'hello', cameras: ['cam1', 'cam2'] });
    ws.send(JSON.stringify({ type: 'watch', cameras: ['cam2'] }));
    await expect.poll(() => got.json.some((m) => m.type === 'watching')).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    publisher.offer(frame(3));
    await appendScore(h.redis, keys, score(0.4));
    await new Promise((r) => setTimeout(r, 1500));
    expect(got.binary).toHaveLength(0);
    expect(got.json.filter((m) => m.type === 'score')).toHaveLength(0);

    ws.send(JSON.stringify({ type: 'watch', cameras: ['cam1'] }));
    await expect.poll(() => got.json.filter((m) => m.type === 'watching').length).toBe(2);
    await new Promise((r) => setTimeout(r, 100)); // the subscription reaches Redis
    for (let seq = 4; seq < 8 && got.binary.length === 0; seq++) {
      publisher.offer(frame(seq));
      await new Promise((r) => setTimeout(r, 120));
    }
    await expect.poll(() => got.binary.length).toBeGreaterThan(0);
    const unpacked = unpackPreviewFrame(got.binary[0]!)!;
    expect(unpacked.header).toMatchObject({ camera: 'cam1', width: 32, height: 16 });
    expect([...unpacked.jpeg.subarray(0, 2)]).toEqual([0xff, 0xd8]);

    await appendScore(h.redis, keys, score(2.5));
    await expect.poll(() => got.json.find((m) => m.type === 'score')).toMatchObject({ camera: 'cam1', score: 2.5, threshold: 1, regions: [{ x: 0.1, y: 0.2, width: 0.3, height: 0.25, score: 2.5 }] });
    ws.close();
  });
});

describe('GET /v1/cameras/:id/scores', () => {
  it('answers the last minutes bucketed by their highest score, with the threshold', async () => {
    const keys = redisKeys(h.config.namespace);
    const t = Date.now();
    // Two frames in one second (one bucket keeps the higher) and one ten seconds later, apart from the earlier test's 2.5.
    const second = Math.floor((t - 60_000) / 1000) * 1000;
    const at = [second + 100, second + 200, second + 10_100];
    for (const [i, v] of [0.2, 1.8, 0.3].entries()) await appendScore(h.redis, keys, score(v, at[i]));
    const res = await fetch(`${base}/v1/cameras/cam1/scores?minutes=5`, { headers: { authorization: `Bearer ${VIEWER_TOKEN}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { threshold: number; bucketSeconds: number; points: [number, number, number][] };
    expect(body.threshold).toBe(1);
    expect(body.bucketSeconds).toBe(1);
    expect(Math.max(...body.points.map((p) => p[1]))).toBe(2.5);
    const values = body.points.map((p) => p[1]);
    expect(values).toContain(1.8);
    expect(values).toContain(0.3);
    expect(values).not.toContain(0.2);
  });

  it('refuses bad input with a clear 4xx', async () => {
    const get = (path: string) => fetch(`${base}${path}`, { headers: { authorization: `Bearer ${VIEWER_TOKEN}` } });
    expect((await get('/v1/cameras/nope/scores')).status).toBe(404);
    const bad = await get('/v1/cameras/cam1/scores?minutes=abc');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/minutes/);
    expect((await get('/v1/cameras/cam1/scores?from=1')).status).toBe(400);
    expect((await fetch(`${base}/v1/cameras/cam1/scores`)).status).toBe(401);
  });
});
