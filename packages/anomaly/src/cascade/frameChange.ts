/**
 * Whole-frame change: camera shake, an infrared/day-night switch, an exposure jump, headlights
 * sweeping the scene. Such a frame differs from normal almost everywhere at once, which no single
 * object does, so it gates alerts (scored and reported, but never opens or extends one) instead of
 * raising one. Three stateless tests, each against the previous analysed frame or the frame's own map:
 * - brightness: the median per-cell brightness ratio now/before jumped (exposure, IR switch) — against
 *   the previous frame, and against the long-term background when the frame carries it, so a switch
 *   stays gated until the background has absorbed it, not just for its first frame;
 * - shift: one global translation explains the change far better than no motion (shake, PTZ nudge);
 * - widespread: more than a set share of cells are anomalous at once.
 */
import type { ScoreMap } from '@vigil/core';
import type { FrameInput } from '../frameInput.js';
import { downscaledLuma } from '../motionFlow/flow.js';

export interface FrameChangeOptions {
  /** |log(brightness now / before)| over which the exposure jumped (log 1.3 ≈ 0.26). */
  maxLogBrightnessJump: number;
  /** Global shifts searched, in full-res pixels (either axis). */
  shiftSearch: number;
  /** Smallest global shift, in full-res pixels, that counts as the camera moving. */
  minShift: number;
  /** The best global shift must cut the mean |Δ| of "no shift" to at most this share… */
  shiftExplains: number;
  /** …and "no shift" must leave at least this mean |Δluma| (a still scene with noise is no shake). */
  minShiftChange: number;
  /** Share of cells with a normalised score ≥ 1 over which the change is whole-frame. */
  maxAnomalousShare: number;
}

export const defaultFrameChangeOptions: FrameChangeOptions = {
  maxLogBrightnessJump: Math.log(1.3),
  shiftSearch: 12,
  minShift: 2,
  shiftExplains: 0.6,
  minShiftChange: 4,
  maxAnomalousShare: 0.3,
};

export type FrameChangeReason = 'brightness' | 'shift' | 'widespread';

export interface FrameChange {
  gated: boolean;
  /** Why, when gated (the first test that fired). */
  reason?: FrameChangeReason;
  logBrightnessJump: number;
  /** The same against the long-term background (0 without one). */
  logBrightnessDrift: number;
  /** Best global shift in full-res pixels, and its mean |Δ| as a share of no shift's. */
  shift: { dx: number; dy: number; ratio: number };
  anomalousShare: number;
}

const CELL = 4; // half-res pixels per brightness cell (8 full-res)

export function detectFrameChange(input: FrameInput, map: ScoreMap | undefined, options: Partial<FrameChangeOptions> = {}): FrameChange {
  const o = { ...defaultFrameChangeOptions, ...options };
  let anomalousShare = 0;
  if (map && map.data.length > 0) {
    let n = 0;
    for (const v of map.data) if (v >= 1) n++;
    anomalousShare = n / map.data.length;
  }
  let logBrightnessJump = 0,
    logBrightnessDrift = 0;
  let shift = { dx: 0, dy: 0, ratio: 1 };
  const w = Math.floor(input.width / 2),
    h = Math.floor(input.height / 2);
  const cur = downscaledLuma(input.data, input.width, input.height, 2, new Float32Array(w * h));
  const long = input.background?.long;
  if (long && long.length === w * h * 3) logBrightnessDrift = brightnessJump(cur, downscaledLuma(long, w, h, 1, new Float32Array(w * h)), w, h);
  if (input.prev && input.prev.length >= input.width * input.height * 3) {
    const prev = downscaledLuma(input.prev, input.width, input.height, 2, new Float32Array(w * h));
    logBrightnessJump = brightnessJump(cur, prev, w, h);
    shift = globalShift(cur, prev, w, h, Math.max(1, Math.round(o.shiftSearch / 2)), o.minShiftChange);
  }
  const shifted = Math.hypot(shift.dx, shift.dy) >= o.minShift && shift.ratio <= o.shiftExplains;
  const reason: FrameChangeReason | undefined =
    Math.max(Math.abs(logBrightnessJump), Math.abs(logBrightnessDrift)) > o.maxLogBrightnessJump ? 'brightness' : shifted ? 'shift' : anomalousShare > o.maxAnomalousShare ? 'widespread' : undefined;
  return { gated: reason !== undefined, ...(reason ? { reason } : {}), logBrightnessJump, logBrightnessDrift, shift, anomalousShare };
}

/** Median over cells of log(brightness now / before): a local change (a car) does not move the median. */
function brightnessJump(cur: Float32Array, prev: Float32Array, w: number, h: number): number {
  const cols = Math.floor(w / CELL),
    rows = Math.floor(h / CELL);
  const ratios = new Float32Array(cols * rows);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      let a = 0,
        b = 0;
      for (let y = r * CELL; y < (r + 1) * CELL; y++)
        for (let x = c * CELL, i = y * w + x; x < (c + 1) * CELL; x++, i++) {
          a += cur[i]!;
          b += prev[i]!;
        }
      ratios[r * cols + c] = Math.log((a + 16) / (b + 16));
    }
  }
  ratios.sort();
  return ratios[ratios.length >> 1] ?? 0;
}

/** Exhaustive search of one translation of the whole frame (half-res, every third pixel each way); ratio 1 when nothing changed enough. */
function globalShift(cur: Float32Array, prev: Float32Array, w: number, h: number, R: number, minChange: number): { dx: number; dy: number; ratio: number } {
  const mad = (dx: number, dy: number): number => {
    let s = 0,
      n = 0;
    for (let y = R; y < h - R; y += 3) {
      for (let x = R, i = y * w + x, j = (y - dy) * w + (x - dx); x < w - R; x += 3, i += 3, j += 3) {
        s += Math.abs(cur[i]! - prev[j]!);
        n++;
      }
    }
    return n > 0 ? s / n : 0;
  };
  const zero = mad(0, 0);
  if (zero < minChange) return { dx: 0, dy: 0, ratio: 1 };
  let best = zero,
    bdx = 0,
    bdy = 0;
  for (let dy = -R; dy <= R; dy++) {
    for (let dx = -R; dx <= R; dx++) {
      if (dx === 0 && dy === 0) continue;
      const s = mad(dx, dy);
      if (s < best) {
        best = s;
        bdx = dx;
        bdy = dy;
      }
    }
  }
  return { dx: 2 * bdx, dy: 2 * bdy, ratio: best / zero };
}
