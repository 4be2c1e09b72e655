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

  it('runs the beforeEmit hook after the decision and before the events reach the stream', async () => {
    const tracker = new AlertTracker(redis, ns, () => policy);
    const score = (s: number, value: number): FrameScore => ({
      cameraId: 'hookcam',
      seq: s,
      capturedAt: T0 + s * 200,
      score: value,
      frame: { width: 320, height: 176 },
      regions: [{ x: 0.1, y: 0.1, width: 0.2, height: 0.2, score: value }],
      members: { patchGaussian: value },
      modelVersion: 'v1',
    });
    const seen: { events: string[]; streamLength: number; openId: string | null }[] = [];
    const hook = async (events: { event: string }[], next: { open: { id: string } | null }) => {
      seen.push({ events: events.map((e) => e.event), streamLength: await redis.xlen(keys.alertEvents), openId: next.open?.id ?? null });
    };
    try {
      const emitted: AlertEvent[] = [];
      for (let s = 0; s < 3; s++) emitted.push(...(await tracker.record(score(s, 1.5), hook)));
      expect(emitted.map((e) => e.event)).toEqual(['open']);
      // Called for every committed step; when it saw the open, the stream did not hold it yet.
      expect(seen).toHaveLength(3);
      expect(seen[2]).toEqual({ events: ['open'], streamLength: 0, openId: emitted[0]!.alert.id });
      expect(await redis.xlen(keys.alertEvents)).toBe(1);

      // A hook that fails leaves nothing committed: no event, and the state unchanged.
      const failing = async () => {
        throw new Error('disk full');
      };
      for (let s = 3; s < 20; s++) await expect(tracker.record(score(s, 0.2), failing)).rejects.toThrow('disk full');
      expect(await redis.xlen(keys.alertEvents)).toBe(1);
    } finally {
      await tracker.close();
      await redis.del(keys.alertEvents, keys.alertState('hookcam'));
    }
  });

  it('writes snapshot, heatmap and raw frame at open and each new peak, before the event is readable', async () => {
    const tracker = new AlertTracker(redis, ns, () => policy);
    const scorer = new FrameScorer(redis, keys, new ModelCache(redis, keys, dataDir), tracker, dataDir);
    const reader = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    // What the reader found on disk at the moment each event could be read.
    const observed: { event: AlertEvent['event']; alertId: string; score: number; files: string[]; info: AlertFrameInfo | null }[] = [];
    let stop = false;
    const reading = (async () => {
      let last = '0';
      while (!stop) {
        const res = await reader.xread('BLOCK', 200, 'STREAMS', keys.alertEvents, last);
        for (const [, entries] of res ?? []) {
          for (const [id, fields] of entries) {
            last = id;
            const { event, alert } = JSON.parse(fields[1]!) as AlertEvent;
            const dir = alertFilesDir(dataDir, alert.id);
            const files = Object.values(ALERT_FILES).filter((name) => existsSync(join(dir, name)));
            const info = files.includes(ALERT_FILES.frameInfo) ? (JSON.parse(readFileSync(join(dir, ALERT_FILES.frameInfo), 'utf8')) as AlertFrameInfo) : null;
            observed.push({ event, alertId: alert.id, score: alert.score, files, info });
          }
        }
      }
    })();

    const outcomes = [];
    try {
      for (let i = TRAIN_FRAMES; i < frames.length; i++) {
        const key = keys.frame('cam1', i);
        await redis.set(key, Buffer.from(frames[i]!), 'EX', 60);
        const job: FrameJob = { cameraId: 'cam1', seq: i, capturedAt: T0 + (i * 1000) / FPS, width, height, key, ...(i > TRAIN_FRAMES ? { prevKey: keys.frame('cam1', i - 1) } : {}) };
        const outcome = await scorer.score(job);
        expect(outcome.kind).toBe('scored');
        if (outcome.kind === 'scored') outcomes.push({ i, score: outcome.score, events: outcome.events });
      }
      const emitted = outcomes.flatMap((o) => o.events);
      await expect.poll(() => observed.length, { timeout: 5000 }).toBe(emitted.length);
    } finally {
      stop = true;
      await reading;
      reader.disconnect();
      await tracker.close();
    }

    const open = observed.find((o) => o.event === 'open');
    expect(open, `events seen: ${JSON.stringify(observed.map((o) => o.event))}`).toBeDefined();
    const alertId = open!.alertId;
    // Every open/update found all four files already there; the raw frame is the analysed size.
    for (const o of observed.filter((x) => x.event !== 'close')) {
      expect(o.files.sort()).toEqual(Object.values(ALERT_FILES).sort());
      expect(o.info).toMatchObject({ alertId, cameraId: 'cam1', width, height, format: 'rgb24', modelVersion: version });
    }
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
