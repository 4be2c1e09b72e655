/**
 * BackgroundPair member — stopped objects from a long-/short-term background pair, after the
 * dual-background method of Porikli, Ivanov & Haga, "Robust abandoned object detection using dual
 * foregrounds" (EURASIP JASP 2008): a pixel that differs from the long-term background but matches
 * the short-term one is something that arrived and stayed. Per cell of the grid (mean over its pixels,
 * colour distance in levels, the long background scaled by the frame's global gain so exposure drift
 * does not count):
 *   f = max(0, min(|I − gL|, |S − gL|) − |I − S| − |I − I_prev|)
 * — new against the long background, settled in the short one, and not moving. A vehicle that left
 * looks the same (its "ghost"), so f is weighted by (G_now / G_long)² where the cell's gradient energy fell:
 * an object that arrived brings edges, the road it uncovers when it leaves has fewer (Cucchiara et al.,
 * "Detecting moving objects, ghosts, and shadows in video streams", IEEE TPAMI 2003, tell them apart the
 * same way). Each cell learns how high f goes normally (a parking bay, a queue at a light) and scores
 * f over that level.
 */
import type { BackgroundImages, FrameInput } from '../frameInput.js';
import { halfResRgb } from './pair.js';

export interface BackgroundPairParams {
  /** Cell side in full-res pixels (the shared grid: 8); a multiple of 2. */
  cell: number;
  /** A pair younger than this many frames has not settled: the member stays neutral. */
  minAge: number;
  /** Smallest normal level of f per cell (levels): codec noise is not a stopped vehicle. */
  minLevel: number;
  /** Normal level = mean + `levelStd` × std of a cell's pooled training f. */
  levelStd: number;
  /** Neighbouring cells (Chebyshev radius) pooled for a cell's normal level. */
  poolRadius: number;
  smooth: boolean;
  /** Floor of the raw frame score, so calibration on empty scenes cannot yield a zero threshold. */
  minRaw: number;
}

export const defaultBackgroundPairParams: BackgroundPairParams = {
  cell: 8,
  minAge: 25,
  minLevel: 8,
  levelStd: 4,
  poolRadius: 1,
  smooth: true,
  minRaw: 0.2,
};

/** Reusable buffers for one frame size. */
export class StaticForeground {
  readonly cols: number;
  readonly rows: number;
  private readonly hw: number;
  private readonly cur: Float32Array;
  private readonly prev: Float32Array;
  private readonly gains: Float32Array;
  private readonly lumaCur: Float32Array;
  private readonly lumaLong: Float32Array;

  constructor(readonly width: number, readonly height: number, readonly cell: number) {
    this.hw = Math.floor(width / 2);
    const hh = Math.floor(height / 2);
    this.cols = Math.floor(width / cell);
    this.rows = Math.floor(height / cell);
    if (cell % 2 !== 0 || this.cols < 1 || this.rows < 1) throw new RangeError(`cell ${cell} does not fit a ${width}x${height} frame`);
    this.cur = new Float32Array(this.hw * hh * 3);
    this.prev = new Float32Array(this.hw * hh * 3);
    const n = this.cols * this.rows;
    this.gains = new Float32Array(n);
    this.lumaCur = new Float32Array(n);
    this.lumaLong = new Float32Array(n);
  }

  /** f per cell into `out`; returns false (and zeros) when the input carries no settled pair. */
  measure(input: FrameInput, minAge: number, out: Float32Array): boolean {
    out.fill(0);
    const bg: BackgroundImages | undefined = input.background;
    const n = this.cur.length;
    if (!bg || bg.age < minAge || bg.long.length !== n || bg.short.length !== n) return false;
    const { cols, rows, hw, cur, prev } = this;
    const hc = this.cell / 2;
    halfResRgb(input.data, this.width, this.height, cur);
    const hasPrev = input.prev !== undefined && input.prev.length >= this.width * this.height * 3;
    if (hasPrev) halfResRgb(input.prev!, this.width, this.height, prev);
    const L = bg.long, S = bg.short;

    // Global gain: the median ratio of cell brightness, now against the long background.
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        let a = 0, b = 0;
        for (let y = r * hc; y < (r + 1) * hc; y++) {
          for (let x = c * hc, i = (y * hw + x) * 3; x < (c + 1) * hc; x++, i += 3) {
            a += cur[i]! + cur[i + 1]! + cur[i + 2]!;
            b += L[i]! + L[i + 1]! + L[i + 2]!;
          }
        }
        this.lumaCur[r * cols + c] = a;
        this.lumaLong[r * cols + c] = b;
        this.gains[r * cols + c] = (a + 1) / (b + 1);
      }
    }
    const sorted = Float32Array.from(this.gains).sort();
    const g = Math.min(2, Math.max(0.5, sorted[sorted.length >> 1]!));

    const area = hc * hc * 3;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        let dcl = 0, dsl = 0, dcs = 0, dm = 0;
        for (let y = r * hc; y < (r + 1) * hc; y++) {
          for (let x = c * hc, i = (y * hw + x) * 3; x < (c + 1) * hc; x++) {
            for (let k = 0; k < 3; k++, i++) {
              const v = cur[i]!, l = g * L[i]!, s = S[i]!;
              dcl += Math.abs(v - l);
              dsl += Math.abs(s - l);
              dcs += Math.abs(v - s);
              if (hasPrev) dm += Math.abs(v - prev[i]!);
            }
          }
        }
        let f = Math.max(0, (Math.min(dcl, dsl) - dcs - dm) / area);
        if (f > 0) {
          const gNow = gradientEnergy(cur, hw, c * hc, r * hc, hc, 1);
          const gLong = gradientEnergy(L, hw, c * hc, r * hc, hc, g);
          if (gNow < gLong) f *= (gNow / gLong) ** 2;
        }
        out[r * cols + c] = f;
      }
    }
    return true;
  }
}

/** Sum of |∂x| + |∂y| of the channel sum over a `side × side` block of a half-res RGB image (scaled by `gain`). */
function gradientEnergy(img: ArrayLike<number>, w: number, x0: number, y0: number, side: number, gain: number): number {
  let e = 0;
  for (let y = y0; y < y0 + side; y++) {
    for (let x = x0; x < x0 + side; x++) {
      const i = (y * w + x) * 3;
      const v = img[i]! + img[i + 1]! + img[i + 2]!;
      const right = x + 1 < x0 + side ? img[i + 3]! + img[i + 4]! + img[i + 5]! : v;
      const j = i + w * 3;
      const down = y + 1 < y0 + side ? img[j]! + img[j + 1]! + img[j + 2]! : v;
      e += Math.abs(right - v) + Math.abs(down - v);
    }
  }
  return gain * e + 1;
}
