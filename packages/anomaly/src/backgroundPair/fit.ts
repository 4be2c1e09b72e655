/** Fitting BackgroundPair: per cell, how high the static-foreground value f goes on normal footage (pooled over neighbours). */
import { ModelError } from '@vigil/core';
import type { FrameInput } from '../frameInput.js';
import { halfResRgb, withBackgrounds } from './pair.js';
import { StaticForeground, type BackgroundPairParams } from './model.js';

/** Frames the reference median is taken over (evenly spaced): enough for passing traffic to vanish from it. */
const REFERENCE_FRAMES = 150;

/** The training footage's per-pixel median at half resolution: the scene without its traffic, as it was learnt. */
export function referenceBackground(frames: FrameInput[]): Float32Array {
  const first = frames[0]!;
  const step = Math.max(1, Math.floor(frames.length / REFERENCE_FRAMES));
  const picked = frames.filter((_, i) => i % step === 0);
  const hw = Math.floor(first.width / 2),
    hh = Math.floor(first.height / 2);
  const halves = picked.map((f) => halfResRgb(f.data, f.width, f.height, new Float32Array(hw * hh * 3)));
  const out = new Float32Array(hw * hh * 3);
  const column = new Float32Array(halves.length);
  for (let i = 0; i < out.length; i++) {
    for (let k = 0; k < halves.length; k++) column[k] = halves[k]![i]!;
    column.sort();
    out[i] = column[column.length >> 1]!;
  }
  return out;
}

export const MIN_BACKGROUND_FRAMES = 10;

/** `frames`: of one size (defineMember checks them before any member's fit). */
export function fitNormalLevels(frames: FrameInput[], params: BackgroundPairParams): { cols: number; rows: number; level: Float32Array; reference: Float32Array } {
  const first = frames[0];
  if (!first) throw new ModelError('backgroundPair: no training frames');
  // Frames without their pair (a caller that did not run one): run one over them in order, as ingest would.
  if (!frames.some((f) => f.background)) frames = withBackgrounds(frames);
  const sf = new StaticForeground(first.width, first.height, params.cell);
  const reference = referenceBackground(frames);
  const n = sf.cols * sf.rows;
  const sum = new Float64Array(n),
    sum2 = new Float64Array(n);
  const f = new Float32Array(n);
  let used = 0;
  for (const input of frames) {
    // Young pairs too (a camera learns from its first half-minute), against the reference as well.
    if (!sf.measure(input, { minAge: params.minAge, minSeconds: 0 }, f, reference)) continue;
    used++;
    for (let k = 0; k < n; k++) {
      sum[k]! += f[k]!;
      sum2[k]! += f[k]! * f[k]!;
    }
  }
  if (used < MIN_BACKGROUND_FRAMES) {
    throw new ModelError(`backgroundPair needs at least ${MIN_BACKGROUND_FRAMES} frames with a settled background pair (${params.minAge}+ frames old), got ${used}`);
  }
  const { cols, rows } = sf;
  const level = new Float32Array(n);
  const R = params.poolRadius;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      let s = 0,
        s2 = 0,
        m = 0;
      for (let y = Math.max(0, r - R); y <= Math.min(rows - 1, r + R); y++) {
        for (let x = Math.max(0, c - R); x <= Math.min(cols - 1, c + R); x++) {
          s += sum[y * cols + x]!;
          s2 += sum2[y * cols + x]!;
          m += used;
        }
      }
      const mean = s / m;
      const std = Math.sqrt(Math.max(0, s2 / m - mean * mean));
      level[r * cols + c] = Math.max(params.minLevel, mean + params.levelStd * std);
    }
  }
  return { cols, rows, level, reference };
}
