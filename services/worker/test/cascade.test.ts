/**
 * The cascade in the live worker: real Redis holding frames and background pairs as ingest stores
 * them, a real model (motionFlow + backgroundPair fitted on real footage) plus a backbone-tier member
 * that counts its calls, scored by FrameScorer under a GPU and a WebAssembly backend name.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { redisKeys, type AlertPolicy, type FrameJob, type FrameScore, type FrameSize } from '@vigil/core';
import {
  BackgroundPair,
  fitCameraModel,
  framesWithPrev,
  injectAnomaly,
  packBackground,
  registerDetector,
  saveCameraModel,
  withBackgrounds,
  type AnomalySpec,
  type BackgroundImages,
  type Detector,
  type DetectorKind,
} from '@vigil/anomaly';
import { decodeFrames } from '@vigil/video';
import { AlertTracker } from '../src/alertTracker.js';
import { FrameScorer } from '../src/frameScorer.js';
import { ModelCache } from '../src/modelCache.js';

const REDIS_URL = process.env.VIGIL_TEST_REDIS ?? 'redis://127.0.0.1:6379';
const FOOTAGE = new URL('../../../footage/street.mp4', import.meta.url).pathname;
const FPS = 5;
const TRAIN = 60;
const SCORED = 40;
const policy: AlertPolicy = { confirmFrames: 3, confirmSeconds: 1.5, quietSeconds: 3, updateSeconds: 2 };
const spec: AnomalySpec = {
  kind: 'wrong-way',
  startSeconds: 15,
  durationSeconds: 3,
  size: { width: 0.12, height: 0.14 },
  position: { x: 0.8, y: 0.8 },
  velocity: { x: -0.08, y: -0.08 },
};

/** A backbone-tier stand-in: scores every frame a flat 0.5 and counts how often it was asked. */
let backboneCalls = 0;
function countingDetector(frame: FrameSize): Detector {
  return {
    name: 'countingBackbone',
    params: {},
    frame,
    covered: { width: 320, height: 176 },
    score: () => {
      backboneCalls++;
      return { raw: 0.5, map: { cols: 40, rows: 22, data: new Float32Array(880).fill(0.5) } };
    },
    exportState: () => ({ state: {}, arrays: { none: new Float32Array(1) } }),
  };
}
const countingKind: DetectorKind = {
  name: 'countingBackbone',
  fit: (frames) => countingDetector({ width: frames[0]!.width, height: frames[0]!.height }),
  restore: (_params, _saved, frame) => countingDetector(frame),
};

/** The cheap tier's flag level here: a seconds-old background pair runs high, so the injected object is what crosses it. */
const CHEAP_FLAG = 1;

describe('the scoring cascade in the worker', () => {
  const ns = `vigil-cascadetest-${randomUUID().slice(0, 8)}`;
  const keys = redisKeys(ns);
  let redis: Redis;
  let dataDir: string;
  const frames: Uint8Array[] = [];
  let width = 0,
    height = 0;
  let backgrounds: (BackgroundImages | undefined)[] = [];

  beforeAll(async () => {
    registerDetector(countingKind);
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    dataDir = await mkdtemp(join(tmpdir(), 'vigil-cascade-'));
    for await (const f of decodeFrames(FOOTAGE, { fps: FPS, width: 320, maxFrames: TRAIN + SCORED })) {
      const data = new Uint8Array(f.data);
      injectAnomaly(data, f.width, f.height, frames.length / FPS, spec);
      frames.push(data);
      width = f.width;
      height = f.height;
    }
    const inputs = withBackgrounds(framesWithPrev(frames.slice(0, TRAIN), width, height));
    // The pair is seconds old here: the background member judges from its first frames (no half-minute warm-up).
    const model = await fitCameraModel(inputs, { cameraId: 'cam1', members: ['motionFlow', { name: 'backgroundPair', params: { minSeconds: 0 } }, 'countingBackbone'], combine: 'max' });
    await saveCameraModel(model, join(dataDir, 'models', 'cam1', model.manifest.version));
    await redis.set(keys.modelVersion('cam1'), model.manifest.version);
    // As ingest does: every frame updates the camera's pair, stored beside the frame.
    const pair = new BackgroundPair(width, height, { fps: FPS });
    backgrounds = frames.map((f) => pair.next(f));
  }, 90_000);

  afterAll(async () => {
    const left = await redis.keys(`${ns}:*`);
    if (left.length) await redis.del(...left);
    redis.disconnect();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function scoreAll(backend: string, camera: string, edit?: (data: Uint8Array, i: number) => Uint8Array): Promise<FrameScore[]> {
    await redis.set(keys.modelVersion(camera), (await redis.get(keys.modelVersion('cam1')))!);
    const tracker = new AlertTracker(redis, ns, () => policy);
    const scorer = new FrameScorer(redis, keys, new ModelCache(redis, keys, dataDir), tracker, dataDir, {
      backend,
      // Escalation is off but for its own camera: its TTL runs in wall time, and this test scores faster than real time.
      settingsFor: (id) => (id === 'esc-cam' ? { threshold: 100, sampleEvery: 10, escalateAt: 0, escalateSeconds: 60 } : { threshold: CHEAP_FLAG, sampleEvery: 10, escalateAt: 100 }),
    });
    const out: FrameScore[] = [];
    try {
      for (let i = TRAIN; i < frames.length; i++) {
        const key = keys.frame(camera, i);
        const data = edit ? edit(frames[i]!, i) : frames[i]!;
        await redis.set(key, Buffer.from(data), 'EX', 60);
        await redis.set(`${key}:bg`, Buffer.from(packBackground(backgrounds[i]!)), 'EX', 60);
        const job: FrameJob = { cameraId: camera, seq: i, capturedAt: Date.UTC(2025, 0, 1) + i * 200, width, height, key, prevKey: keys.frame(camera, i - 1), bgKey: `${key}:bg` };
        if (i === TRAIN) {
          await redis.set(job.prevKey!, Buffer.from(frames[i - 1]!), 'EX', 60);
        }
        const outcome = await scorer.score(job);
        if (outcome.kind !== 'scored') throw new Error(`frame ${i} not scored: ${outcome.kind}`);
        out.push(outcome.score);
      }
    } finally {
      await tracker.close();
    }
    return out;
  }

  // ModelCache looks models up under dataDir/models/<camera>: the other cameras share cam1's files.
  beforeAll(async () => {
    const { symlink } = await import('node:fs/promises');
    for (const cam of ['gpu-cam', 'cpu-cam', 'bright-cam', 'esc-cam']) await symlink(join(dataDir, 'models', 'cam1'), join(dataDir, 'models', cam));
  });

  it('runs every member on every frame when the backend is a GPU', async () => {
    backboneCalls = 0;
    const scores = await scoreAll('tfjs-node-gpu', 'gpu-cam');
    expect(backboneCalls).toBe(SCORED);
    expect(scores.every((s) => 'countingBackbone' in s.members && 'motionFlow' in s.members && 'backgroundPair' in s.members)).toBe(true);
  });

  it('on a CPU backend, runs the backbone tier only on frames the cheap tier flags and on every 10th frame', async () => {
    backboneCalls = 0;
    const scores = await scoreAll('wasm', 'cpu-cam');
    const ran = scores.filter((s) => 'countingBackbone' in s.members);
    const cheap = (s: FrameScore) => Math.max(s.members.motionFlow!, s.members.backgroundPair!);
    const flagged = scores.filter((s) => cheap(s) >= CHEAP_FLAG && s.seq % 10 !== 0);
    process.stdout.write(`  [figures] cascade on wasm: backbone ran on ${ran.length}/${scores.length} frames (${flagged.length} flagged, ${scores.filter((s) => s.seq % 10 === 0).length} sampled)\n`);
    expect(backboneCalls).toBe(ran.length);
    for (const s of scores) expect('countingBackbone' in s.members).toBe(!s.gated && (cheap(s) >= CHEAP_FLAG || s.seq % 10 === 0));
    expect(flagged.length).toBeGreaterThan(0);
    expect(ran.length).toBeLessThan(SCORED);
    // The background pair came from Redis: the member was not neutral.
    expect(scores.some((s) => s.members.backgroundPair! > 0.3)).toBe(true);
  });

  it('escalates a camera after a high full score: its next frames all get the backbone tier (the state lives in Redis, for every worker)', async () => {
    const scores = await scoreAll('wasm', 'esc-cam');
    const first = scores.findIndex((s) => s.seq % 10 === 0);
    expect(first).toBeGreaterThanOrEqual(0);
    // Never flagged (threshold 100): before the first sampled frame only the cheap tier ran; from it on, every frame escalated.
    for (const [i, s] of scores.entries()) expect('countingBackbone' in s.members).toBe(i >= first && !s.gated);
    expect(await redis.pttl(keys.cascadeEscalated('esc-cam'))).toBeGreaterThan(0);
  });

  it('marks a whole-frame change gated in the frame score', async () => {
    // Exposure flickers ×1.6 on every other frame for a second.
    const flicker = (data: Uint8Array, i: number) => (i >= TRAIN + 5 && i < TRAIN + 11 && i % 2 === 0 ? brighter(data) : data);
    const scores = await scoreAll('wasm', 'bright-cam', flicker);
    const gated = scores.filter((s) => s.gated).map((s) => s.seq);
    expect(gated).toEqual(expect.arrayContaining([TRAIN + 6, TRAIN + 7, TRAIN + 8, TRAIN + 9, TRAIN + 10]));
    expect(scores.filter((s) => s.seq < TRAIN + 5).every((s) => !s.gated)).toBe(true);
  });
});

function brighter(data: Uint8Array): Uint8Array {
  return data.map((v) => Math.min(255, Math.round(v * 1.6)));
}
