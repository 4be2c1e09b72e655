import { describe, expect, it } from 'vitest';
import type { ScoreMap } from '@vigil/core';
import { accumulatedMap, defaultTemporalParams, evidenceScore, foldEvidence, holdScore, packEvidence, unpackEvidence, type EvidenceState, type TemporalCalibration } from '../src/temporal/evidence.js';

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
    expect(back.hot).toBeUndefined();
    expect(Array.from(back.evidence)).toEqual(Array.from(s.evidence));
    const hot = new Float64Array(COLS * ROWS).fill(Number.NaN);
    hot[5] = 1_733_000_000_000;
    const withHot = unpackEvidence(packEvidence({ ...s, hot }))!;
    expect(withHot.hot![5]).toBe(1_733_000_000_000);
    expect(Number.isNaN(withHot.hot![4])).toBe(true);
    expect(Array.from(withHot.evidence)).toEqual(Array.from(s.evidence));
    expect(unpackEvidence(new Uint8Array(5))).toBeUndefined();
    expect(unpackEvidence(packEvidence(s).subarray(0, 20))).toBeUndefined();
  });

  /** A map with `value` at cell (x, y) and 0.1 elsewhere. */
  function mapAt(x: number, y: number, value: number): ScoreMap {
    const data = new Float32Array(COLS * ROWS).fill(0.1);
    data[y * COLS + x] = value;
    return { cols: COLS, rows: ROWS, data };
  }

  /** Frames at 5 fps through the hold, each (already accumulated: 1 = threshold) with one cell at its value; returns the frame scores. */
  function held(frames: { value: number; x?: number; y?: number }[], params = defaultTemporalParams): number[] {
    let state: EvidenceState | undefined;
    return frames.map(({ value, x = 3, y = 2 }, i) => {
      const at = i * 200;
      state = foldEvidence(state, map(0), at, 1 / FPS, params);
      const out = holdScore({ score: value, map: mapAt(x, y, value) }, state, at, params);
      state = out.state;
      return out.score.score;
    });
  }
  const at = (value: number, x?: number, y?: number) => ({ value, ...(x !== undefined ? { x } : {}), ...(y !== undefined ? { y } : {}) });

  it('holds: after a crossing, cells near it count from 0.4 of the threshold for a while, and each such crossing extends the hold', () => {
    expect(defaultTemporalParams.holdLevel).toBe(0.4);
    // Crossing, then 3 s at 0.6 (held: 1.5), then 0.3 (0.75: under, but the hold runs on), then 0.6 again.
    const scores = held([at(1.2), ...Array.from({ length: 15 }, () => at(0.6)), at(0.3), at(0.6)]);
    expect(scores[0]).toBeCloseTo(1.2);
    expect(scores.slice(1, 16).every((v) => v >= 1)).toBe(true);
    // Such a frame says it is over only by the hold (the alert lifecycle lets it keep an alert, not open one).
    let state = foldEvidence(undefined, map(0), 0, 1 / FPS, defaultTemporalParams);
    state = holdScore({ score: 1.2, map: mapAt(3, 2, 1.2) }, state, 0, defaultTemporalParams).state;
    expect(holdScore({ score: 0.6, map: mapAt(3, 2, 0.6) }, state, 200, defaultTemporalParams).score).toMatchObject({ score: expect.closeTo(1.5), held: true });
    expect(holdScore({ score: 1.2, map: mapAt(3, 2, 1.2) }, state, 200, defaultTemporalParams).score.held).toBeUndefined();
    expect(scores[16]).toBeCloseTo(0.75);
    expect(scores[17]).toBeCloseTo(1.5);
    // Without a crossing nothing is held.
    expect(held(Array.from({ length: 10 }, () => at(0.9))).every((v) => Math.abs(v - 0.9) < 1e-6)).toBe(true);
  });

  it('holds only near the crossing: an object moving a cell a frame is followed, a cell far from it is not', () => {
    // Crossing at (0, 1), then the object moves right a cell a frame at 0.6: each frame is within 2 cells of the last crossing.
    const moving = held([at(1.2, 0, 1), ...[1, 2, 3, 4, 5].map((x) => at(0.6, x, 1))]);
    expect(moving.slice(1).every((v) => v >= 1)).toBe(true);
    // Crossing at (0, 0); then 0.6 at (5, 3), five cells away: not held.
    expect(held([at(1.2, 0, 0), at(0.6, 5, 3)])[1]).toBeCloseTo(0.6);
  });

  it('lets the hold run out after the last crossing, and holds nothing for a model fitted before it', () => {
    // The hold's length in frames, then one more: the frame at 0.6 comes just after the hold ran out.
    const holdFrames = defaultTemporalParams.holdSeconds! * FPS;
    const scores = held([at(1.2), ...Array.from({ length: holdFrames }, () => at(0.2)), at(0.6)]);
    expect(scores[holdFrames + 1]).toBeCloseTo(0.6);
    // Within the hold the same frame is held.
    expect(held([at(1.2), ...Array.from({ length: holdFrames - 2 }, () => at(0.2)), at(0.6)])[holdFrames - 1]).toBeCloseTo(1.5);
    const { holdSeconds: _h, holdLevel: _l, holdCells: _c, ...before } = defaultTemporalParams;
    expect(held([at(1.2), at(0.6), at(0.6)], before).slice(1)).toEqual([expect.closeTo(0.6), expect.closeTo(0.6)]);
  });
});
