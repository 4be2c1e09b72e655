/**
 * The whole path with real parts: GStreamer RTSP server fed by ffmpeg → `vigil ingest` → Redis + BullMQ →
 * `vigil worker` → alert lifecycle in Redis → `vigil gateway` → a WebSocket client. Each service is its own process.
 * The camera plays street.mp4 twice clean (the model — the default ensemble — learns from the first 15 s, then watches a full loop and more),
 * then a third time with a car-sized object that drives into the near lane and stops there.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertEvent } from '@vigil/core';
import { CameraSource, LocalRtspServer, decodeFrames } from '@vigil/video';
import { boxIoU, renderInjectedVideo, type AnomalySpec, type GroundTruth } from '@vigil/anomaly';
import { LiveClient } from '@vigil/client';
import { REPO_ROOT, freePort, startVigil, writeVigilConfig, type VigilProcess } from '../support/vigilProcess.js';

const CLIP = join(REPO_ROOT, 'footage/street.mp4');
const CLIP_SECONDS = 905 / 24;
const ANOMALY_START = 2 * CLIP_SECONDS + 6;
const ANOMALY: AnomalySpec = {
  kind: 'stopped-vehicle',
  startSeconds: ANOMALY_START,
  durationSeconds: 8,
  size: { width: 0.15, height: 0.14 },
  position: { x: 0.6, y: 0.72 },
  velocity: { x: 0.08, y: 0.1 },
  enterSeconds: 1,
};
const CONFIRM_SECONDS = 1.5;

const work = mkdtempSync(join(tmpdir(), 'vigil-e2e-'));
const ns = `e2e-${randomBytes(4).toString('hex')}`;
const token = `tok-${randomBytes(8).toString('hex')}`;
const events: { at: number; ev: AlertEvent }[] = [];
let truth: GroundTruth;
let rtsp: LocalRtspServer;
let services: VigilProcess[] = [];
let client: LiveClient;
let redis: Redis;
/** Wall-clock time at which the feeder started playing the file from its first frame. */
let playStart: number;
/** How far the test's RTSP server (GStreamer fed over UDP) delivers behind the feeder: measured, not vigil's. */
let rigLagSeconds: number;

const wallTimeOf = (videoSeconds: number) => playStart + videoSeconds * 1000;
/** When a client of the RTSP server receives the frame at `videoSeconds` of the file. */
const deliveredAt = (videoSeconds: number) => wallTimeOf(videoSeconds + rigLagSeconds);

/**
 * The rig's delivery lag: a probe client (like a monitor wall) watches the mount from before vigil
 * starts, and a few of its frames are matched to the file's own frames. The shared media starts with it,
 * so the camera vigil reads is already flowing, as a real camera's is.
 */
async function measureRigLag(url: string): Promise<number> {
  const coarse = (d: Uint8Array, w: number, h: number) => {
    const cols = Math.floor(w / 8),
      out = new Float32Array(cols * Math.floor(h / 8));
    for (let y = 0; y < h - (h % 8); y++) for (let x = 0; x < cols * 8; x++) out[(y >> 3) * cols + (x >> 3)]! += d[(y * w + x) * 3 + 1]!;
    return out;
  };
  const reference: Float32Array[] = [];
  for await (const f of decodeFrames(join(REPO_ROOT, '.vigil/test-cache/e2e-street-3x.mp4'), { fps: 5, width: 320, maxFrames: 100 })) reference.push(coarse(f.data, f.width, f.height));
  const probe = new CameraSource({ cameraId: 'probe', url, fps: 5, width: 320 });
  const lags: number[] = [];
  await new Promise<void>((resolve) => {
    probe.on('frame', (f) => {
      const t = (f.capturedAt - playStart) / 1000;
      if (t < 6 || t > 18 || f.seq % 5 !== 0) return;
      const s = coarse(f.data, f.width, f.height);
      let best = 0,
        bestD = Infinity;
      reference.forEach((r, i) => {
        let d = 0;
        for (let k = 0; k < s.length; k++) d += (s[k]! - r[k]!) ** 2;
        if (d < bestD) {
          bestD = d;
          best = i;
        }
      });
      lags.push(t - best / 5);
      if (lags.length === 5) resolve();
    });
    probe.start();
  });
  await probe.stop();
  lags.sort((a, b) => a - b);
  return lags[2]!;
}

const sleepUntil = (t: number) => new Promise((r) => setTimeout(r, Math.max(0, t - Date.now())));

function dumpLogs(): string {
  return services.map((s) => `--- ${s.logFile}\n${readFileSync(s.logFile, 'utf8').split('\n').slice(-40).join('\n')}`).join('\n');
}

/** The camera's last scored frames (video time, score, members), for a failure message. */
async function recentScores(): Promise<string> {
  const entries = await redis.xrevrange(`${ns}:scores:cam1`, '+', '-', 'COUNT', 60);
  return entries
    .reverse()
    .map(([, fields]) => {
      const p = JSON.parse(fields[1] ?? '{}') as { t: number; score: number; members: Record<string, number>; gated?: true };
      return `${((p.t - playStart) / 1000 - rigLagSeconds).toFixed(1)} ${p.score.toFixed(2)} ${JSON.stringify(p.members)}${p.gated ? ' gated' : ''}`;
    })
    .join('\n');
}

beforeAll(async () => {
  truth = await renderInjectedVideo({ src: CLIP, out: join(REPO_ROOT, '.vigil/test-cache/e2e-street-3x.mp4'), repeat: 3, anomalies: [ANOMALY] });
  redis = new Redis('redis://127.0.0.1:6379');
  const port = await freePort();
  rtsp = await LocalRtspServer.start({ mounts: [{ path: 'cam1', file: join(REPO_ROOT, '.vigil/test-cache/e2e-street-3x.mp4'), loop: true }] });
  playStart = Date.now();
  const lag = measureRigLag(rtsp.urlFor('cam1'));
  const configFile = writeVigilConfig(work, {
    namespace: ns,
    dataDir: join(work, 'data'),
    gateway: { port, tokens: [{ token, role: 'operator' }], heartbeatSeconds: 5 },
    cameras: [{ id: 'cam1', url: rtsp.urlFor('cam1'), fps: 5, learnSeconds: 15, alerts: { confirmFrames: 3, confirmSeconds: CONFIRM_SECONDS, quietSeconds: 3 } }],
  });
  // The probe has the media flowing before vigil's camera connects.
  await new Promise((r) => setTimeout(r, 3000));
  services = ['gateway', 'worker', 'ingest'].map((name) => startVigil([name, '--config', configFile], join(work, `${name}.log`)));
  rigLagSeconds = await lag;
  client = new LiveClient({ url: `http://127.0.0.1:${port}`, token });
  client.on('alert', (ev) => events.push({ at: Date.now(), ev }));
  await client.connectWithRetry(30_000).catch((err: unknown) => {
    throw new Error(`gateway never accepted the client: ${String(err)}\n${dumpLogs()}`);
  });
}, 180_000);

afterAll(async () => {
  client?.close();
  await Promise.all(services.map((s) => s.stop()));
  await rtsp?.stop();
  if (redis) {
    const keys = await redis.keys(`${ns}*`);
    const bull = await redis.keys(`bull:${ns}*`);
    if (keys.length + bull.length) await redis.del(...keys, ...bull);
    redis.disconnect();
  }
});

describe('RTSP camera to WebSocket alert, across real service processes', () => {
  it('learns the scene, then raises no alert over a full loop of normal footage', async () => {
    // Learning ends about 15 s after the first frame, plus the fit; wait for it, then watch the rest of the two clean plays.
    const learnDeadline = wallTimeOf(40);
    while ((await redis.hget(`${ns}:camera:cam1`, 'state')) !== 'live') {
      if (Date.now() > learnDeadline) throw new Error(`camera never went live\n${dumpLogs()}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const watchFrom = Date.now();
    await sleepUntil(wallTimeOf(2 * CLIP_SECONDS));
    const watchedSeconds = (Date.now() - watchFrom) / 1000;
    expect(watchedSeconds).toBeGreaterThanOrEqual(CLIP_SECONDS);
    const scored = Number(await redis.hget(`${ns}:camera:cam1`, 'scored'));
    expect(scored).toBeGreaterThan(CLIP_SECONDS * 5 * 0.8);
    // Every scored frame is on the score timeline too (written with the status, read after it).
    expect(await redis.xlen(`${ns}:scores:cam1`)).toBeGreaterThanOrEqual(scored);
    expect(events.map((e) => `${e.ev.event} ${e.ev.alert.id} ${e.ev.alert.score} ${JSON.stringify(e.ev.alert.members)} ${JSON.stringify(e.ev.alert.regions)} ${e.ev.alert.startedAt}`)).toEqual([]);
    console.log(`[figures] no alert over ${watchedSeconds.toFixed(1)} s of normal footage after learning (${scored} frames scored)`);
  }, 150_000);

  it('opens an alert within 3 s of the injected object, with a region on it, and closes it after it leaves', async () => {
    // Vigil's budget starts when the camera delivers the object's first frame.
    const firstFrameAt = deliveredAt(ANOMALY_START);
    const leftAt = deliveredAt(ANOMALY_START + ANOMALY.durationSeconds);
    const openDeadline = firstFrameAt + (CONFIRM_SECONDS + 3) * 1000;
    await sleepUntil(openDeadline);
    const open = events.find((e) => e.ev.event === 'open');
    expect(open, `no open by the deadline (object from video time ${ANOMALY_START.toFixed(1)} s)\n${await recentScores()}\n${dumpLogs()}`).toBeDefined();
    expect(open!.at).toBeLessThanOrEqual(openDeadline);
    expect(open!.at).toBeGreaterThanOrEqual(firstFrameAt);

    // The region must overlap where the object was in the frame that opened the alert.
    const videoT = (Date.parse(open!.ev.alert.updatedAt) - playStart) / 1000 - rigLagSeconds;
    const nearby = truth.frames.filter((f) => Math.abs(f.t - videoT) <= 1).flatMap((f) => f.boxes);
    const best = Math.max(0, ...open!.ev.alert.regions.flatMap((r) => nearby.map((b) => boxIoU(r, b))));
    expect(best, JSON.stringify({ regions: open!.ev.alert.regions, videoT })).toBeGreaterThanOrEqual(0.3);
    const confirmedAt = Date.parse(open!.ev.alert.updatedAt);
    console.log(
      `[figures] open ${((open!.at - firstFrameAt) / 1000).toFixed(2)} s after the camera delivered the object's first frame (budget ${CONFIRM_SECONDS + 3} s; the test RTSP server delivers ${rigLagSeconds.toFixed(2)} s behind its feeder): ` +
        `first high frame ${((Date.parse(open!.ev.alert.startedAt) - firstFrameAt) / 1000).toFixed(2)} s, confirming frame captured ${((confirmedAt - firstFrameAt) / 1000).toFixed(2)} s, ` +
        `scored and pushed ${((open!.at - confirmedAt) / 1000).toFixed(2)} s after capture; best region IoU ${best.toFixed(2)}, score ${open!.ev.alert.score.toFixed(2)}`,
    );
    // The trained ensemble scored the alerting frame: every member's normalised score rides on the alert.
    expect(Object.keys(open!.ev.alert.members).sort()).toEqual(['backgroundPair', 'flowHistogram']);
    console.log(
      `[figures] alert members: ${Object.entries(open!.ev.alert.members)
        .map(([m, v]) => `${m}=${v.toFixed(2)}`)
        .join(' ')}`,
    );
    expect(open!.ev.alert.snapshotUrl).toMatch(/\/v1\/alerts\/.+\/snapshot\.jpg$/);

    await sleepUntil(leftAt + 8000);
    const close = events.find((e) => e.ev.event === 'close' && e.ev.alert.id === open!.ev.alert.id);
    expect(close, `no close after the object left\n${dumpLogs()}`).toBeDefined();
    expect(close!.at).toBeGreaterThan(leftAt - 1000);
    console.log(`[figures] close ${((close!.at - leftAt) / 1000).toFixed(2)} s after the object left`);
    expect(close!.ev.alert.endedAt).toBeDefined();
    expect(events.filter((e) => e.ev.event === 'open')).toHaveLength(1);
  }, 150_000);
});
