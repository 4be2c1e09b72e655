/**
 * Normalising a member's raw scores so that 1.0 is its threshold: the (1 − target FPR) quantile of its
 * raw scores on held-out normal frames, times a safety margin (held-out frames are few, and the live
 * system must stay silent over hours of normal traffic). Maps are divided by the same threshold, so
 * a map value ≥ 1 marks exactly the patches that make a frame score ≥ 1.
 */
import type { ScoreMap } from '@vigil/core';

export interface MemberCalibration {
  /** Raw score that normalises to 1. */
  threshold: number;
  targetFalsePositiveRate: number;
  margin: number;
  /** The held-out quantile before the margin. */
  quantileScore: number;
  heldOutFrames: number;
  heldOutMax: number;
  heldOutMedian: number;
}

export const DEFAULT_TARGET_FPR = 0.01;
export const DEFAULT_CALIBRATION_MARGIN = 1.25;

/** Linear-interpolated quantile of `values` at q ∈ [0, 1]. */
export function quantile(values: ArrayLike<number>, q: number): number {
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) throw new RangeError('quantile of no values');
  const pos = Math.min(1, Math.max(0, q)) * (sorted.length - 1);
  const lo = Math.floor(pos),
    hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function calibrate(heldOutRaw: number[], targetFalsePositiveRate = DEFAULT_TARGET_FPR, margin = DEFAULT_CALIBRATION_MARGIN): MemberCalibration {
  if (!(targetFalsePositiveRate > 0 && targetFalsePositiveRate < 1)) throw new RangeError(`targetFalsePositiveRate must be in (0, 1), got ${targetFalsePositiveRate}`);
  const quantileScore = quantile(heldOutRaw, 1 - targetFalsePositiveRate);
  return {
    threshold: quantileScore * margin,
    targetFalsePositiveRate,
    margin,
    quantileScore,
    heldOutFrames: heldOutRaw.length,
    heldOutMax: Math.max(...heldOutRaw),
    heldOutMedian: quantile(heldOutRaw, 0.5),
  };
}

export function normaliseScore(raw: number, calibration: MemberCalibration): number {
  return raw / calibration.threshold;
}

export function normaliseMap(map: ScoreMap, calibration: MemberCalibration): ScoreMap {
  const data = new Float32Array(map.data.length);
  const inv = 1 / calibration.threshold;
  for (let i = 0; i < data.length; i++) data[i] = map.data[i]! * inv;
  return { cols: map.cols, rows: map.rows, data };
}
