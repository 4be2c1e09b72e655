/**
 * A camera's temporal evidence in a real Redis, folded by two workers at once, frames out of order:
 * the state they leave is the one a single process folding in order reaches (compare-and-set, retried).
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisKeys } from '@vigil/core';
import { defaultTemporalParams, foldEvidence, unpackEvidence, type CameraModel, type CameraScore, type EvidenceState } from '@vigil/anomaly';
import { CameraEvidence } from '../src/cameraEvidence.js';

const REDIS_URL = process.env.VIGIL_TEST_REDIS ?? 'redis://127.0.0.1:6379';
const COLS = 5,
  ROWS = 3,
  INTERVAL = 0.2;

/** Only the temporal stage of a camera model: the fold itself is the library's. */
const model = {
  manifest: { temporal: { params: defaultTemporalParams, evidenceThreshold: 1, threshold: 1, intervalSeconds: INTERVAL } },
  accumulate(instant: CameraScore, state: EvidenceState | undefined, atMs: number) {
    const next = foldEvidence(state, instant.map, atMs, INTERVAL, defaultTemporalParams);
    return { score: instant, state: next };
  },
} as unknown as CameraModel;

const frame = (i: number): CameraScore => {
  const data = new Float32Array(COLS * ROWS);
  data[i % data.length] = 0.5 + (i % 4) * 0.4;
  return { score: Math.max(...data), members: {}, map: { cols: COLS, rows: ROWS, data }, warm: true };
};

describe('camera evidence in Redis', () => {
  const ns = `vigil-evidence-${randomUUID().slice(0, 8)}`;
  const keys = redisKeys(ns);
  let a: Redis, b: Redis;

  beforeAll(() => {
    a = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    b = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  });

  afterAll(async () => {
    await a.del(keys.evidence('cam1'));
    a.disconnect();
    b.disconnect();
  });

  it('reaches the in-order state when two workers fold frames concurrently and out of order', async () => {
    const workers = [new CameraEvidence(a, keys), new CameraEvidence(b, keys)];
    const order = Array.from({ length: 40 }, (_, i) => i).sort((x, y) => ((x * 7) % 11) - ((y * 7) % 11));
    // Each worker scores two frames at a time (the default concurrency), taking the next from a shared queue.
    const queue = [...order];
    const lane = async (w: CameraEvidence) => {
      for (let i = queue.shift(); i !== undefined; i = queue.shift()) await w.fold('cam1', model, frame(i), 1_000_000 + i * 200, false);
    };
    await Promise.all([lane(workers[0]!), lane(workers[0]!), lane(workers[1]!), lane(workers[1]!)]);
    let expected: EvidenceState | undefined;
    for (let i = 0; i < 40; i++) expected = foldEvidence(expected, frame(i).map, 1_000_000 + i * 200, INTERVAL, defaultTemporalParams);
    const stored = unpackEvidence(new Uint8Array((await a.hgetBuffer(keys.evidence('cam1'), 's'))!))!;
    expect(stored.at).toBe(expected!.at);
    for (let c = 0; c < COLS * ROWS; c++) expect(stored.evidence[c]).toBeCloseTo(expected!.evidence[c]!, 4);
    expect(Number(await a.hget(keys.evidence('cam1'), 'v'))).toBe(40);
  });

  it('leaves the state alone for a gated or cold frame', async () => {
    const before = await a.hget(keys.evidence('cam1'), 'v');
    const worker = new CameraEvidence(a, keys);
    const cold = { ...frame(3), warm: false };
    const gatedModel = { ...model, accumulate: (s: CameraScore, st: EvidenceState | undefined) => ({ score: s, state: st }) } as unknown as CameraModel;
    await worker.fold('cam1', gatedModel, cold, 2_000_000, true);
    expect(await a.hget(keys.evidence('cam1'), 'v')).toBe(before);
  });
});
