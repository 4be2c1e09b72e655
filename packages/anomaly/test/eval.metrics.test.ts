import { describe, expect, it } from 'vitest';
import { averagePrecision, PixelAucAccumulator, recallAtFalsePositiveRate, rocAuc } from '../src/eval/metrics.js';

describe('frame ROC AUC', () => {
  it('is 1 when every anomalous frame outscores every normal one, 0 when reversed', () => {
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], [false, false, true, true])).toBe(1);
    expect(rocAuc([0.9, 0.8, 0.2, 0.1], [false, false, true, true])).toBe(0);
  });

  it('counts the pairs an anomalous frame wins, by hand', () => {
    // Positives 0.35 and 0.8; negatives 0.1, 0.4, 0.5. 0.35 beats 1 of 3, 0.8 beats 3 of 3 → 4/6.
    expect(rocAuc([0.1, 0.35, 0.4, 0.5, 0.8], [false, true, false, false, true])).toBeCloseTo(4 / 6, 12);
  });

  it('counts a tie between an anomalous and a normal frame as half a win', () => {
    // Pairs: (0.5⁺ vs 0.5⁻) = ½, (0.5⁺ vs 0.1⁻) = 1, (0.9⁺ vs both) = 2 → 3.5 / 4.
    expect(rocAuc([0.1, 0.5, 0.5, 0.9], [false, false, true, true])).toBeCloseTo(3.5 / 4, 12);
    expect(rocAuc([1, 1, 1, 1], [false, true, false, true])).toBe(0.5);
  });

  it('is NaN with only one class, and refuses mismatched or NaN input', () => {
    expect(rocAuc([0.1, 0.2], [true, true])).toBeNaN();
    expect(() => rocAuc([0.1], [true, false])).toThrow(/1 scores but 2 labels/);
    expect(() => rocAuc([NaN, 1], [true, false])).toThrow(/NaN/);
  });
});

describe('recall at a false-positive rate', () => {
  it('finds the anomalous frames above the highest threshold that keeps normal frames within the rate, by hand', () => {
    // Ten normal frames 0.0–0.9, four anomalous.
    const normal = Array.from({ length: 10 }, (_, i) => i / 10);
    const scores = [...normal, 0.95, 0.85, 0.55, 0.2];
    const labels = [...normal.map(() => false), true, true, true, true];
    expect(recallAtFalsePositiveRate(scores, labels, 0)).toBe(1 / 4); // above 0.9: only 0.95
    expect(recallAtFalsePositiveRate(scores, labels, 0.1)).toBe(2 / 4); // above 0.8: 0.95, 0.85
    expect(recallAtFalsePositiveRate(scores, labels, 0.19)).toBe(2 / 4); // still one normal frame allowed
    expect(recallAtFalsePositiveRate(scores, labels, 0.5)).toBe(3 / 4); // above 0.4
    expect(recallAtFalsePositiveRate(scores, labels, 1)).toBe(1);
  });

  it('never lets tied normal frames through beyond the rate', () => {
    const scores = [0.5, 0.5, 0.5, 0.1, 0.5, 0.9];
    const labels = [false, false, false, false, true, true];
    // One normal frame of four may pass, but three tie at 0.5: the threshold stays at 0.5.
    expect(recallAtFalsePositiveRate(scores, labels, 0.25)).toBe(1 / 2);
    expect(recallAtFalsePositiveRate([1, 2], [false, false], 0.1)).toBeNaN();
    expect(() => recallAtFalsePositiveRate([1], [true], 2)).toThrow(/false-positive rate/);
  });
});

describe('average precision', () => {
  it('sums precision at each recall step, by hand', () => {
    // Ranked: 0.9⁺ (P=1, R=½), 0.8⁻, 0.7⁺ (P=⅔, R=1), 0.1⁻ → ½·1 + ½·⅔ = 5/6.
    expect(averagePrecision([0.9, 0.8, 0.7, 0.1], [true, false, true, false])).toBeCloseTo(5 / 6, 12);
    expect(averagePrecision([0.9, 0.8, 0.1], [true, true, false])).toBe(1);
  });

  it('takes tied frames together at one threshold', () => {
    // All three tie: one step to R=1 with P=⅓.
    expect(averagePrecision([0.5, 0.5, 0.5], [true, false, false])).toBeCloseTo(1 / 3, 12);
    // 0.9⁻ first (P=0), then the tie 0.5⁺,0.5⁻ → R=1, P=⅓.
    expect(averagePrecision([0.9, 0.5, 0.5], [false, true, false])).toBeCloseTo(1 / 3, 12);
  });

  it('is NaN without anomalous frames', () => {
    expect(averagePrecision([0.1, 0.2], [false, false])).toBeNaN();
  });
});

describe('pixel ROC AUC accumulator', () => {
  it('agrees with the exact AUC on many pixels with distinct scores', () => {
    const acc = new PixelAucAccumulator();
    const scores: number[] = [],
      labels: boolean[] = [];
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let i = 0; i < 4000; i++) {
      const anomalous = rand() < 0.2;
      const s = (anomalous ? 1.2 : 0.6) + (rand() - 0.5) * 1.5 - 0.3;
      scores.push(s);
      labels.push(anomalous);
      acc.add(s, anomalous);
    }
    expect(acc.auc()).toBeCloseTo(rocAuc(scores, labels), 4);
    expect(acc.counts()).toEqual([labels.filter(Boolean).length, labels.filter((l) => !l).length]);
  });

  it('upsamples an 8-px map to the mask by nearest cell, edge cells covering pixels past the covered area', () => {
    // A 20x12 frame, a 2x1 map of 8-px cells covering 16x8: left cell 0.2, right cell 0.9.
    const frame = { width: 20, height: 12 };
    const map = { cols: 2, rows: 1, data: Float32Array.from([0.2, 0.9]) };
    const mask = new Uint8Array(frame.width * frame.height);
    // Anomalous: a block inside the right cell plus the uncovered column band x ≥ 16 (taken by the right cell).
    for (let y = 0; y < frame.height; y++) for (let x = 8; x < frame.width; x++) mask[y * frame.width + x] = 1;
    const acc = new PixelAucAccumulator();
    acc.addFrame(map, { width: 16, height: 8 }, mask, frame);
    expect(acc.counts()).toEqual([12 * 12, 8 * 12]);
    expect(acc.auc()).toBe(1);
    // The same map against the inverse mask ranks every pair wrong.
    const inverse = new PixelAucAccumulator();
    inverse.addFrame(
      map,
      { width: 16, height: 8 },
      mask.map((m) => 1 - m),
      frame,
    );
    expect(inverse.auc()).toBe(0);
  });

  it('counts pixels of equal score as ties, and handles negative scores', () => {
    const acc = new PixelAucAccumulator();
    acc.add(-2, false, 3);
    acc.add(0.5, false, 1);
    acc.add(0.5, true, 1);
    acc.add(3, true, 1);
    // Positives: 0.5 beats 3 negatives and ties 1 (3.5); 3 beats 4 → 7.5 / 8.
    expect(acc.auc()).toBeCloseTo(7.5 / 8, 12);
  });
});
