/**
 * How frames cross Redis to the worker, with real Redis and a real model (flowHistogram + backgroundPair
 * fitted on real footage): a predecessor this worker scored is taken from memory (scores exactly those of
 * a worker that reads every predecessor, with the predecessor's key gone), and frames stored as YUV 4:2:0,
 * as ingest writes them, score as rgb24 frames do up to rounding.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { redisKeys, type AlertPolicy, type FrameJob, type FrameScore } from '@vigil/core';
import { BackgroundPair, fitCameraModel, framesWithPrev, packBackground, saveCameraModel, withBackgrounds } from '@vigil/anomaly';
import { decodeFrames, packYuv420 } from '@vigil/video';
import { AlertTracker } from '../src/alertTracker.js';
import { FrameScorer } from '../src/frameScorer.js';
import { ModelCache } from '../src/modelCache.js';

const REDIS_URL = process.env.VIGIL_TEST_REDIS ?? 'redis://127.0.0.1:6379';
const FOOTAGE = new URL('../../../footage/street.mp4', import.meta.url).pathname;
const FPS = 5;
const TRAIN = 60;
const SCORED = 15;
const policy: AlertPolicy = { confirmFrames: 3, confirmSeconds: 1.5, quietSeconds: 3, updateSeconds: 2 };

describe('a worker reuses the predecessor it scored', () => {
  const ns = `vigil-recenttest-${randomUUID().slice(0, 8)}`;
  const keys = redisKeys(ns);
  let redis: Redis;
  let dataDir: string;
  const frames: Uint8Array[] = [];
  let width = 0,
    height = 0;

  beforeAll(async () => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    dataDir = await mkdtemp(join(tmpdir(), 'vigil-recent-'));
    for await (const f of decodeFrames(FOOTAGE, { fps: FPS, width: 320, maxFrames: TRAIN + SCORED })) {
      frames.push(new Uint8Array(f.data));
      width = f.width;
      height = f.height;
    }
    const model = await fitCameraModel(withBackgrounds(framesWithPrev(frames.slice(0, TRAIN), width, height), { fps: FPS }), {
      cameraId: 'cam',
      members: ['flowHistogram', { name: 'backgroundPair', params: { minSeconds: 0 } }],
    });
    for (const camera of ['reads', 'reuses', 'yuv']) {
      await saveCameraModel(model, join(dataDir, 'models', camera, model.manifest.version));
      await redis.set(keys.modelVersion(camera), model.manifest.version);
    }
  }, 90_000);

  afterAll(async () => {
    const left = await redis.keys(`${ns}:*`);
    if (left.length) await redis.del(...left);
    redis.disconnect();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** Stores every frame as ingest does and scores them in order; `fresh`: a new scorer for each frame (nothing in memory). */
  async function scoreAll(camera: string, fresh: boolean, afterEach?: (job: FrameJob) => Promise<void>, yuv = false): Promise<{ scores: FrameScore[]; reads: { reused: number; read: number } }> {
    const tracker = new AlertTracker(redis, ns, () => policy);
    const models = new ModelCache(redis, keys, dataDir);
    const make = () => new FrameScorer(redis, keys, models, tracker, dataDir);
    let scorer = make();
    const reads = { reused: 0, read: 0 };
    const pair = new BackgroundPair(width, height, { fps: FPS });
    const scores: FrameScore[] = [];
    try {
      for (let i = 0; i < frames.length; i++) {
        const key = keys.frame(camera, i);
        const bg = pair.next(frames[i]!);
        await redis.set(key, Buffer.from(yuv ? packYuv420(frames[i]!, width, height) : frames[i]!), 'EX', 60);
        if (i < TRAIN) continue;
        await redis.set(`${key}:bg`, Buffer.from(packBackground(bg!)), 'EX', 60);
        const job: FrameJob = {
          cameraId: camera,
          seq: i,
          capturedAt: Date.UTC(2025, 0, 1) + i * 200,
          width,
          height,
          key,
          prevKey: keys.frame(camera, i - 1),
          bgKey: `${key}:bg`,
          ...(yuv ? { encoding: 'yuv420' as const } : {}),
        };
        if (fresh) scorer = make();
        const outcome = await scorer.score(job);
        if (outcome.kind !== 'scored') throw new Error(`frame ${i} not scored: ${outcome.kind}`);
        scores.push(outcome.score);
        reads.reused += scorer.prevReads.reused;
        reads.read += scorer.prevReads.read;
        if (!fresh) Object.assign(scorer.prevReads, { reused: 0, read: 0 });
        await afterEach?.(job);
      }
    } finally {
      await tracker.close();
    }
    return { scores, reads };
  }

  it('scores exactly as a worker that reads every predecessor, without reading them', async () => {
    const reading = await scoreAll('reads', true);
    // Each frame's bytes are gone from Redis once scored: only a predecessor kept in memory can serve the next frame.
    const reusing = await scoreAll('reuses', false, async (job) => void (await redis.del(job.key)));
    expect(reading.reads).toEqual({ reused: 0, read: SCORED });
    expect(reusing.reads).toEqual({ reused: SCORED - 1, read: 1 });
    const view = (s: FrameScore) => ({ seq: s.seq, score: s.score, members: s.members });
    expect(reusing.scores.map(view)).toEqual(reading.scores.map(view));
    // The frames moved: flowHistogram saw motion, so the comparison says something.
    expect(reading.scores.some((s) => (s.members.flowHistogram ?? 0) > 0)).toBe(true);
  });

  it('scores frames stored as YUV 4:2:0 as it scores rgb24, up to rounding, in half the bytes', async () => {
    const rgb = await scoreAll('reads', true);
    const yuv = await scoreAll('yuv', false, undefined, true);
    expect(await redis.strlen(keys.frame('yuv', TRAIN))).toBe((width * height * 3) / 2);
    const gaps = yuv.scores.flatMap((s, i) => Object.entries(s.members).map(([name, v]) => Math.abs(v - rgb.scores[i]!.members[name]!)));
    process.stdout.write(`  [figures] yuv420 against rgb24: largest member score difference ${Math.max(...gaps).toFixed(4)} over ${yuv.scores.length} frames\n`);
    for (const [i, s] of yuv.scores.entries()) {
      expect(s.score).toBeCloseTo(rgb.scores[i]!.score, 1);
      for (const name of ['flowHistogram', 'backgroundPair']) expect(s.members[name]).toBeCloseTo(rgb.scores[i]!.members[name]!, 1);
    }
  });
});
