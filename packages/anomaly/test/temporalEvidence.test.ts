import { describe, expect, it } from 'vitest';
import type { ScoreMap } from '@vigil/core';
import { accumulatedMap, defaultTemporalParams, evidenceScore, foldEvidence, packEvidence, unpackEvidence, type EvidenceState, type TemporalCalibration } from '../src/temporal/evidence.js';

const COLS = 6,
  ROWS = 4;
const FPS = 5;

/** A map with `value` in one cell (3, 2) and `rest` elsewhere. */
function map(value: number, rest = 0.1): ScoreMap {
  const data = new Float32Array(COLS * ROWS).fill(rest);
  data[2 * COLS + 3] = value;
  return { cols: COLS, rows: ROWS, data };
}

function run(frames: { at: number; map: ScoreMap }[]): EvidenceState | undefined {
  let s: EvidenceState | undefined;
  for (const f of frames) s = foldEvidence(s, f.map, f.at, 1 / FPS, defaultTemporalParams);
  return s;
}

describe('temporal evidence', () => {
  it('reaches the same state whatever order workers fold the frames in', () => {
    const frames = Array.from({ length: 30 }, (_, i) => ({ at: 1_000_000 + i * 200, map: map(0.3 + (i % 7) * 0.2) }));
    const inOrder = run(frames)!;
    const shuffled = [...frames].sort((a, b) => ((a.at * 7919) % 13) - ((b.at * 7919) % 13));
    const outOfOrder = run(shuffled)!;
    expect(outOfOrder.at).toBe(inOrder.at);
    for (let c = 0; c < inOrder.evidence.length; c++) expect(outOfOrder.evidence[c]).toBeCloseTo(inOrder.evidence[c]!, 5);
  });

  it('lets a region at 0.7 for five seconds cross the evidence threshold, and not one frame at 0.9 or even at 5', () => {
    // An evidence threshold as calibration might set it (the model's own floor is higher: cameraModel.ts).
    const calibration: TemporalCalibration = { params: defaultTemporalParams, evidenceThreshold: 0.5, threshold: 1 };
    const sustained = run(Array.from({ length: 5 * FPS }, (_, i) => ({ at: i * 200, map: map(0.7) })))!;
    const oneFrame = run([{ at: 0, map: map(0.9) }])!;
    const oneWild = run([{ at: 0, map: map(5) }])!;
    const at = (s: EvidenceState, now: ScoreMap) => evidenceScore(now, s, defaultTemporalParams, calibration.evidenceThreshold);
    expect(at(sustained, map(0.7))).toBeGreaterThanOrEqual(1);
    expect(at(oneFrame, map(0.9))).toBeLessThan(1);
    expect(at(oneWild, map(5))).toBeLessThan(1);
    // Evidence counts only while its cell is still elevated: the region gone, the route is off.
    expect(at(sustained, map(0.1))).toBe(0);
    expect(Math.max(...accumulatedMap(map(0.1), sustained, calibration).data)).toBeLessThan(1);
    // The accumulated map carries it at its cell, and only there.
    const acc = accumulatedMap(map(0.7), sustained, calibration);
    expect(acc.data[2 * COLS + 3]).toBeGreaterThanOrEqual(1);
    expect(Math.max(...acc.data.filter((_, c) => c !== 2 * COLS + 3))).toBeLessThan(1);
  });

  it('forgets: evidence decays with its time constant once the region is quiet', () => {
    const lit = run(Array.from({ length: 25 }, (_, i) => ({ at: i * 200, map: map(1.5) })))!;
    const later = foldEvidence(lit, map(0), 4800 + defaultTemporalParams.seconds * 1000, 1 / FPS, defaultTemporalParams);
    expect(later.evidence[2 * COLS + 3]).toBeCloseTo(lit.evidence[2 * COLS + 3]! * Math.exp(-1), 4);
  });

  it('starts afresh when the grid changes (a new model)', () => {
    const lit = run([{ at: 0, map: map(2) }])!;
    const other = foldEvidence(lit, { cols: 3, rows: 3, data: new Float32Array(9) }, 200, 1 / FPS, defaultTemporalParams);
    expect(other.cols).toBe(3);
    expect(Math.max(...other.evidence)).toBe(0);
  });

  it('packs for Redis and back, and refuses bytes that are not a state', () => {
    const s = run([{ at: 1_733_000_000_123, map: map(1.2) }])!;
    const back = unpackEvidence(packEvidence(s))!;
    expect(back.at).toBe(s.at);
    expect(Array.from(back.evidence)).toEqual(Array.from(s.evidence));
    expect(unpackEvidence(new Uint8Array(5))).toBeUndefined();
    expect(unpackEvidence(packEvidence(s).subarray(0, 20))).toBeUndefined();
  });
});
