/**
 * Alert images on disk, ready before the alert event is: a real model fitted on real footage, real
 * Redis, a vehicle-sized object drawn into the frames, and a reader blocked on the alert stream that
 * looks for the files the moment each event becomes readable.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { ALERT_FILES, alertFilesDir, redisKeys, type AlertEvent, type AlertPolicy, type FrameJob, type FrameScore } from '@vigil/core';
import { fitCameraModel, framesWithPrev, injectAnomaly, saveCameraModel, type AnomalySpec } from '@vigil/anomaly';
import { decodeFrames } from '@vigil/video';
import { AlertTracker } from '../src/alertTracker.js';
import { FrameScorer } from '../src/frameScorer.js';
import { ModelCache } from '../src/modelCache.js';
import type { AlertFrameInfo } from '../src/alertSnapshots.js';

const REDIS_URL = process.env.VIGIL_TEST_REDIS ?? 'redis://127.0.0.1:6379';
const FOOTAGE = new URL('../../../footage/street.mp4', import.meta.url).pathname;
const FPS = 5;
const TRAIN_FRAMES = 60;
const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const policy: AlertPolicy = { confirmFrames: 3, confirmSeconds: 1.5, quietSeconds: 3, updateSeconds: 2 };
const spec: AnomalySpec = {
  kind: 'stopped-vehicle',
  startSeconds: 14,
  durationSeconds: 6,
  size: { width: 0.16, height: 0.18 },
  position: { x: 0.55, y: 0.62 },
  velocity: { x: -0.08, y: -0.1 },
  enterSeconds: 1,
};

/** Width and height from a baseline or progressive JPEG's SOF marker. */
function jpegSize(bytes: Buffer): { width: number; height: number } {
  expect(bytes[0]).toBe(0xff);
  expect(bytes[1]).toBe(0xd8);
  let i = 2;
  while (i < bytes.length) {
    const marker = bytes[i + 1]!;
    const length = bytes.readUInt16BE(i + 2);
    if (marker === 0xc0 || marker === 0xc2) return { height: bytes.readUInt16BE(i + 5), width: bytes.readUInt16BE(i + 7) };
    i += 2 + length;
  }
  throw new Error('no SOF marker');
}

describe('alert images on disk', () => {
  const ns = `vigil-snaptest-${randomUUID().slice(0, 8)}`;
  const keys = redisKeys(ns);
  let redis: Redis;
  let dataDir: string;
  let frames: Uint8Array[] = [];
  let width = 0,
    height = 0;
  let version = '';

  beforeAll(async () => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    dataDir = await mkdtemp(join(tmpdir(), 'vigil-snapshots-'));
    for await (const f of decodeFrames(FOOTAGE, { fps: FPS, width: 320, maxFrames: 110 })) {
      frames.push(f.data);
      width = f.width;
      height = f.height;
    }
    // A per-frame appearance member: these frames come without the camera's background pair (the default model's stopped-object member).
    const model = await fitCameraModel(framesWithPrev(frames.slice(0, TRAIN_FRAMES), width, height), { cameraId: 'cam1', members: ['patchGaussian'] });
    version = model.manifest.version;
    await saveCameraModel(model, join(dataDir, 'models', 'cam1', version));
    await redis.set(keys.modelVersion('cam1'), version);
    // The frames after training, with the object drawn in from 14 s.
    frames = frames.map((f, i) => {
      const copy = new Uint8Array(f);
      if (i >= TRAIN_FRAMES) injectAnomaly(copy, width, height, i / FPS, spec);
      return copy;
    });
  });

  afterAll(async () => {
    const left = await redis.keys(`${ns}:*`);
    if (left.length) await redis.del(...left);
    redis.disconnect();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('decides without waiting for images: the event is committed when decide() resolves, with the alerts the frame shows', async () => {
    let committing = 0;
    const tracker = new AlertTracker(redis, ns, () => policy, {
      // Counts commits as they happen: nothing but the decision runs before them.
      beforeCommit: async () => {
        committing++;
      },
    });
    const score = (s: number, value: number): FrameScore => ({
      cameraId: 'decidecam',
      seq: s,
      capturedAt: T0 + s * 200,
      score: value,
      frame: { width: 320, height: 176 },
      regions: [{ x: 0.1, y: 0.1, width: 0.2, height: 0.2, score: value }],
      members: { patchGaussian: value },
      modelVersion: 'v1',
    });
    try {
      const decisions = [];
      for (const [s, v] of [
        [0, 1.5],
        [1, 1.5],
        [2, 1.5],
        [3, 1.8],
        [4, 1.6],
        [5, 2.0],
      ] as const) {
        const d = await tracker.decide(score(s, v));
        // Whatever it emitted is on the stream already.
        expect(await redis.xlen(keys.alertEvents)).toBe(decisions.flatMap((x) => x.events).length + d.events.length);
        decisions.push(d);
      }
      const open = decisions.flatMap((d) => d.events).find((e) => e.event === 'open')!;
      expect(open).toBeDefined();
      // The frame that opened the alert shows it, then each new peak (1.8, 2.0), not the frame below the peak.
      expect(decisions.map((d) => d.showing.length)).toEqual([0, 0, 1, 1, 0, 1]);
      expect(decisions[2]!.showing).toEqual([open.alert.id]);
      expect(committing).toBeGreaterThanOrEqual(decisions.length);
    } finally {
      await tracker.close();
      await redis.del(keys.alertEvents, keys.alertState('decidecam'));
    }
  });

  it('writes snapshot, heatmap and raw frame at open and each new peak, keyed by the alert, by the time the frame is scored', async () => {
    const tracker = new AlertTracker(redis, ns, () => policy);
    const scorer = new FrameScorer(redis, keys, new ModelCache(redis, keys, dataDir), tracker, dataDir);
    // What was on disk for each open or update, right after the frame that emitted it was scored.
    const observed: { event: AlertEvent['event']; alertId: string; score: number; seq: number; files: string[]; info: AlertFrameInfo | null }[] = [];
    const look = (ev: AlertEvent, seq: number) => {
      const dir = alertFilesDir(dataDir, ev.alert.id);
      const files = Object.values(ALERT_FILES).filter((name) => existsSync(join(dir, name)));
      const info = files.includes(ALERT_FILES.frameInfo) ? (JSON.parse(readFileSync(join(dir, ALERT_FILES.frameInfo), 'utf8')) as AlertFrameInfo) : null;
      observed.push({ event: ev.event, alertId: ev.alert.id, score: ev.alert.score, seq, files, info });
    };

    const outcomes = [];
    try {
      for (let i = TRAIN_FRAMES; i < frames.length; i++) {
        const key = keys.frame('cam1', i);
        await redis.set(key, Buffer.from(frames[i]!), 'EX', 60);
        const job: FrameJob = { cameraId: 'cam1', seq: i, capturedAt: T0 + (i * 1000) / FPS, width, height, key, ...(i > TRAIN_FRAMES ? { prevKey: keys.frame('cam1', i - 1) } : {}) };
        const outcome = await scorer.score(job);
        expect(outcome.kind).toBe('scored');
        if (outcome.kind === 'scored') {
          outcomes.push({ i, score: outcome.score, events: outcome.events });
          for (const ev of outcome.events) look(ev, i);
        }
      }
    } finally {
      await tracker.close();
    }

    const open = observed.find((o) => o.event === 'open');
    expect(open, `events seen: ${JSON.stringify(observed.map((o) => o.event))}`).toBeDefined();
    const alertId = open!.alertId;
    // Every open/update had all four files there once its frame was scored; the raw frame is the analysed size.
    for (const o of observed.filter((x) => x.event !== 'close')) {
      expect(o.files.sort()).toEqual(Object.values(ALERT_FILES).sort());
      expect(o.info).toMatchObject({ alertId, cameraId: 'cam1', width, height, format: 'rgb24', modelVersion: version });
    }
    // The open's files are its own frame's.
    expect(observed.find((o) => o.event === 'open')!.info!.seq).toBe(observed.find((o) => o.event === 'open')!.seq);
    const openFrame = outcomes.find((o) => o.events.some((e) => e.event === 'open'))!;
    expect(open!.info!.seq).toBe(openFrame.i);

    // At the end the files show the alert's peak frame: its score, its regions, its bytes.
    const peak = outcomes.filter((o) => o.i >= openFrame.i && o.score.score >= 1).reduce((a, b) => (b.score.score > a.score.score ? b : a));
    const dir = alertFilesDir(dataDir, alertId);
    const info = JSON.parse(readFileSync(join(dir, ALERT_FILES.frameInfo), 'utf8')) as AlertFrameInfo;
    const lastEvent = observed.filter((o) => o.alertId === alertId).at(-1)!;
    expect(info.seq).toBe(peak.i);
    expect(info.score).toBe(lastEvent.score);
    expect(info.regions).toEqual(peak.score.regions);
    expect(info.regions.length).toBeGreaterThan(0);
    expect(Buffer.compare(readFileSync(join(dir, ALERT_FILES.frame)), Buffer.from(frames[peak.i]!))).toBe(0);
    expect(jpegSize(readFileSync(join(dir, ALERT_FILES.snapshot)))).toEqual({ width, height });
    expect(jpegSize(readFileSync(join(dir, ALERT_FILES.heatmap)))).toEqual({ width, height });
    console.log(
      `[figures] alert opened at frame ${openFrame.i} (score ${openFrame.score.score.toFixed(2)}), peak at frame ${peak.i} (score ${peak.score.score.toFixed(2)}); events ${observed.map((o) => o.event).join(',')}`,
    );
    // Nothing half-written left behind.
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });
});
