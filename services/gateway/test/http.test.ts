import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALERT_FILES, alertFilesDir, redisKeys } from '@vigil/core';
import { startGateway } from '../src/index.js';
import { ADMIN_TOKEN, RecordingClient, startHarness, testConfig, VIEWER_TOKEN, type Harness } from './helpers.js';

describe('gateway HTTP API', () => {
  let h: Harness;
  const get = (path: string, token?: string) => fetch(`${h.gateway.url}${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});

  beforeAll(async () => {
    h = await startHarness();
    const keys = redisKeys(h.config.namespace);
    await h.redis.hset(keys.cameraStatus('cam1'), { state: 'running', framesIn: '120', dropped: '3', scored: '110', scoreSecondsTotal: '1.65', lastFrameAt: '1764496800000' });
    await h.redis.rpush(`bull:${keys.frameQueue}:wait`, 'job1', 'job2');
  });
  afterAll(async () => {
    await h.stop();
  });

  it('GET /healthz reports Redis ok', async () => {
    const res = await get('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', redis: 'ok' });
  });

  it('GET /metrics serves Prometheus text with gateway, camera and queue metrics', async () => {
    const res = await get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await res.text();
    for (const name of [
      'vigil_gateway_ws_clients',
      'vigil_gateway_alert_events_pushed_total',
      'vigil_gateway_alert_events_read_total',
      'vigil_gateway_ws_dropped_total',
      'vigil_gateway_redis_up',
      'vigil_camera_frames_in',
      'vigil_camera_frames_dropped',
      'vigil_camera_frames_scored',
      'vigil_camera_state',
      'vigil_camera_last_frame_timestamp_seconds',
      'vigil_frame_queue_waiting',
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    expect(text).toContain('vigil_camera_frames_in{camera="cam1"} 120');
    expect(text).toContain('vigil_camera_frames_dropped{camera="cam1"} 3');
    expect(text).toContain('vigil_camera_frames_scored{camera="cam1"} 110');
    expect(text).toContain('vigil_camera_score_seconds_total{camera="cam1"} 1.65');
    expect(text).toContain('vigil_camera_frames_in{camera="cam2"} 0');
    expect(text).toContain('vigil_camera_state{camera="cam1",state="running"} 1');
    expect(text).toContain('vigil_frame_queue_waiting 2');
    expect(text).toContain('vigil_gateway_redis_up 1');
  });

  it('GET /v1/cameras needs a token', async () => {
    const res = await get('/v1/cameras');
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: expect.any(String) });
    expect((await get('/v1/cameras', 'wrong-token-000')).status).toBe(401);
  });

  it('GET /v1/cameras lists cameras with their status (Bearer or ?token=)', async () => {
    const res = await get('/v1/cameras', VIEWER_TOKEN);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      cameras: [
        {
          id: 'cam1',
          name: 'North gate',
          state: 'running',
          reason: null,
          detail: null,
          framesIn: 120,
          dropped: 3,
          scored: 110,
          scoreSeconds: 1.65,
          lastFrameAt: '2025-11-30T10:00:00.000Z',
          learn: null,
          masks: [
            {
              name: 'clock',
              polygon: [
                [0, 0],
                [0.3, 0],
                [0.3, 0.08],
              ],
            },
          ],
          zones: [
            {
              name: 'lane',
              polygon: [
                [0.2, 0.4],
                [0.6, 0.4],
                [0.9, 1],
                [0.1, 1],
              ],
            },
          ],
        },
        { id: 'cam2', name: null, state: 'unknown', reason: null, detail: null, framesIn: 0, dropped: 0, scored: 0, scoreSeconds: 0, lastFrameAt: null, learn: null, masks: [], zones: [] },
      ],
    });
    expect((await get(`/v1/cameras?token=${ADMIN_TOKEN}`)).status).toBe(200);
    // A camera that cannot be reached says why, as ingest reported it.
    const detail = 'rtsp://10.0.0.9/cam2: Connection refused; retry in 2000 ms';
    await h.redis.hset(redisKeys(h.config.namespace).cameraStatus('cam2'), { state: 'reconnecting', reason: 'refused', detail });
    const again = (await (await get('/v1/cameras', VIEWER_TOKEN)).json()) as { cameras: { id: string; state: string; reason: string; detail: string }[] };
    expect(again.cameras[1]).toMatchObject({ id: 'cam2', state: 'reconnecting', reason: 'refused', detail });
    // A camera whose first fit failed on the workers says so, with the error.
    await h.redis.hset(redisKeys(h.config.namespace).cameraStatus('cam2'), { state: 'learning', learnState: 'failed', learnAttempts: '3', learnError: 'learning frames truncated' });
    const learning = (await (await get('/v1/cameras', VIEWER_TOKEN)).json()) as { cameras: { learn: unknown }[] };
    expect(learning.cameras[1]!.learn).toEqual({ state: 'failed', attempts: 3, error: 'learning frames truncated' });
  });

  it('GET /v1/alerts/:id/snapshot.jpg serves the JPEG the worker wrote into the alert folder', async () => {
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x80, 0x00, 0xff, 0xd9]);
    const dir = alertFilesDir(h.config.dataDir, 'alert-1');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, ALERT_FILES.snapshot), jpeg);
    const res = await get('/v1/alerts/alert-1/snapshot.jpg', VIEWER_TOKEN);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await res.arrayBuffer())).toEqual(jpeg);
  });

  it("GET /v1/alerts/:id/snapshot.jpg waits for a new alert's image, which the worker writes just after the event", async () => {
    const client = await RecordingClient.connect(h.wsUrl, { headers: { authorization: `Bearer ${VIEWER_TOKEN}` } });
    try {
      const entry = await h.addAlert('cam1');
      // Once a client has the event, the gateway has seen it.
      const message = await client.waitFor((m) => m.type === 'alert' && m.eventId === entry);
      const id = (message.alert as { id: string }).id;
      const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0xff, 0xd9]);
      const answer = get(`/v1/alerts/${id}/snapshot.jpg`, VIEWER_TOKEN);
      // The worker commits the event first and writes the images after it.
      setTimeout(() => {
        const dir = alertFilesDir(h.config.dataDir, id);
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, ALERT_FILES.snapshot), jpeg);
      }, 300);
      const res = await answer;
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer())).toEqual(jpeg);
    } finally {
      client.close();
    }
  });

  it('GET /v1/alerts/:id/snapshot.jpg answers 404, 400 and 401 as JSON', async () => {
    const missing = await get('/v1/alerts/alert-404/snapshot.jpg', VIEWER_TOKEN);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: expect.stringMatching(/alert-404/) });
    const bad = await get('/v1/alerts/bad%20id%3A1/snapshot.jpg', VIEWER_TOKEN);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: expect.any(String) });
    expect((await get('/v1/alerts/alert-1/snapshot.jpg')).status).toBe(401);
  });

  it('answers unknown routes and malformed URLs with 4xx JSON, never 500', async () => {
    const unknown = await get('/nope');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: expect.any(String) });
    const malformed = await get('/v1/alerts/%E0%A4%A/snapshot.jpg', VIEWER_TOKEN);
    expect(malformed.status).toBeGreaterThanOrEqual(400);
    expect(malformed.status).toBeLessThan(500);
    expect(await malformed.json()).toEqual({ error: expect.any(String) });
    const post = await fetch(`${h.gateway.url}/v1/cameras`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{bad' });
    expect(post.status).toBeGreaterThanOrEqual(400);
    expect(post.status).toBeLessThan(500);
  });
});

describe('gateway with Redis down', () => {
  it('starts, and /healthz answers 503 while /v1/cameras answers 503 JSON', async () => {
    const gateway = await startGateway(testConfig({ redisUrl: 'redis://127.0.0.1:1' }), { port: 0 });
    try {
      const health = await fetch(`${gateway.url}/healthz`);
      expect(health.status).toBe(503);
      expect(await health.json()).toMatchObject({ redis: 'down' });
      const cams = await fetch(`${gateway.url}/v1/cameras`, { headers: { authorization: `Bearer ${VIEWER_TOKEN}` } });
      expect(cams.status).toBe(503);
      expect(await cams.json()).toEqual({ error: expect.any(String) });
      const metrics = await fetch(`${gateway.url}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain('vigil_gateway_redis_up 0');
    } finally {
      await gateway.close();
    }
  });
});
