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
  /** A pair younger than this many frames has not settled: the member stays neutral (and cold). */
  minAge: number;
  /**
   * …nor one younger than this many seconds of footage: the long background moves toward a change over a
   * minute, so before about half of that a vehicle stopped since the start cannot be told from the scene.
   */
  minSeconds: number;
  /** Smallest normal level of f per cell (levels): codec noise is not a stopped vehicle. */
  minLevel: number;
  /** Normal level = mean + `levelStd` × std of a cell's pooled training f. */
  levelStd: number;
  /** Neighbouring cells (Chebyshev radius) pooled for a cell's normal level. */
  poolRadius: number;
  smooth: boolean;
  /**
   * Floor of the raw frame score: f at its cells' normal level (1). Training footage seldom reaches that
   * level (it is set at mean + levelStd·σ), and a threshold calibrated below it would flag swaying trees.
   */
  minRaw: number;
}

export const defaultBackgroundPairParams: BackgroundPairParams = {
  cell: 8,
  minAge: 25,
  minSeconds: 30,
  minLevel: 8,
  levelStd: 4,
  poolRadius: 1,
  smooth: true,
  minRaw: 1,
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
  /** Mean RGB per cell, of the frame and of the background it is measured against. */
  private readonly meanCur: Float32Array;
  private readonly meanLong: Float32Array;
  /** f against the long background, before the smaller of both references is taken. */
  private readonly fromLong: Float32Array;

  constructor(
    readonly width: number,
    readonly height: number,
    readonly cell: number,
  ) {
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
    this.meanCur = new Float32Array(n * 3);
    this.meanLong = new Float32Array(n * 3);
    this.fromLong = new Float32Array(n);
  }

  /**
   * f per cell into `out`, against the camera's long background and, when given, its `reference` (the
   * median of its training footage, half-res RGB): a stopped object is new against both, so the smaller
   * f counts. The reference covers the pair's first minutes — the long background still holds its first
   * frame then — and anything the footage itself jumps over (a recording looping); the long background
   * covers slow changes since training (light, parked cars). Returns false (and zeros) when the pair is
   * younger than `minAge` frames or `minSeconds` of footage.
   */
  measure(input: FrameInput, settled: { minAge: number; minSeconds: number }, out: Float32Array, reference?: Float32Array): boolean {
    out.fill(0);
    const bg: BackgroundImages | undefined = input.background;
    const n = this.cur.length;
    if (!bg || bg.age < settled.minAge || bg.long.length !== n || bg.short.length !== n) return false;
    // The first half-minute after a start the pair is not judged at all: the long background still holds
    // the first frame, and a scene's first stopped objects cannot be told from the scene yet.
    if ((bg.seconds ?? 0) < settled.minSeconds) return false;
    const withReference = reference !== undefined && reference.length === n;
    halfResRgb(input.data, this.width, this.height, this.cur);
    const hasPrev = input.prev !== undefined && input.prev.length >= this.width * this.height * 3;
    if (hasPrev) halfResRgb(input.prev!, this.width, this.height, this.prev);
    cellMeans(this.cur, this.hw, this.cell / 2, this.cols, this.rows, this.meanCur);
    if (withReference) this.against(reference, bg.short, hasPrev, out);
    const fromLong = this.fromLong;
    this.against(bg.long, bg.short, hasPrev, fromLong);
    for (let k = 0; k < out.length; k++) out[k] = withReference ? Math.min(out[k]!, fromLong[k]!) : fromLong[k]!;
    return true;
  }

  /**
   * 1 unless the cell now looks like the background of a cell near it (within two) much more than like
   * its own: then (distance to that neighbour / half the distance to its own)², down to 0.
   */
  private likeNeighbour(r: number, c: number, gain: number, ownDistance: number): number {
    const { cols, rows, meanCur, meanLong } = this;
    const k = (r * cols + c) * 3;
    let nearest = Infinity;
    for (let y = Math.max(0, r - 2); y <= Math.min(rows - 1, r + 2); y++) {
      for (let x = Math.max(0, c - 2); x <= Math.min(cols - 1, c + 2); x++) {
        if (y === r && x === c) continue;
        const n = (y * cols + x) * 3;
        const d = Math.abs(meanCur[k]! - gain * meanLong[n]!) + Math.abs(meanCur[k + 1]! - gain * meanLong[n + 1]!) + Math.abs(meanCur[k + 2]! - gain * meanLong[n + 2]!);
        if (d < nearest) nearest = d;
      }
    }
    // ownDistance is per channel value; nearest sums three channels.
    const half = 0.5 * 3 * ownDistance;
    return nearest >= half ? 1 : (nearest / half) ** 2;
  }

  /** f per cell against one long-term reference `L` (the current frame, its predecessor and its cell means already measured). */
  private against(L: ArrayLike<number>, S: ArrayLike<number>, hasPrev: boolean, out: Float32Array): void {
    const { cols, rows, hw, cur, prev } = this;
    const hc = this.cell / 2;
    // Global gain: the median ratio of cell brightness, now against the long background.
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        let a = 0,
          b = 0;
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
    cellMeans(L, hw, hc, cols, rows, this.meanLong);

    const area = hc * hc * 3;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        let dcl = 0,
          dsl = 0,
          dcs = 0,
          dm = 0;
        for (let y = r * hc; y < (r + 1) * hc; y++) {
          for (let x = c * hc, i = (y * hw + x) * 3; x < (c + 1) * hc; x++) {
            for (let k = 0; k < 3; k++, i++) {
              const v = cur[i]!,
                l = g * L[i]!,
                s = S[i]!;
              dcl += Math.abs(v - l);
              dsl += Math.abs(s - l);
              dcs += Math.abs(v - s);
              if (hasPrev) dm += Math.abs(v - prev[i]!);
            }
          }
        }
        let f = Math.max(0, (Math.min(dcl, dsl) - dcs - dm) / area);
        // Arrived or left? An object that arrived brings edges the background lacked; the ground a
        // departed one uncovers has lost edges the background had (its "ghost"). Edges both share (a
        // curb, a lane mark) say nothing, so only the gained and the lost ones are weighed. And uncovered
        // ground looks like the ground around it: a cell that now matches a nearby background cell far
        // better than its own is a ghost too.
        if (f > 0) f *= edgeGain(cur, L, hw, c * hc, r * hc, hc, g) ** 2 * this.likeNeighbour(r, c, g, dcl / area);
        out[r * cols + c] = f;
      }
    }
  }
}

/** Mean RGB of each cell (hc × hc half-res pixels) of a half-res image, into `out` (cells × 3). */
function cellMeans(img: ArrayLike<number>, w: number, hc: number, cols: number, rows: number, out: Float32Array): void {
  const area = hc * hc;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      let a = 0,
        b = 0,
        d = 0;
      for (let y = r * hc; y < (r + 1) * hc; y++) {
        for (let x = c * hc, i = (y * w + x) * 3; x < (c + 1) * hc; x++, i += 3) {
          a += img[i]!;
          b += img[i + 1]!;
          d += img[i + 2]!;
        }
      }
      const o = (r * cols + c) * 3;
      out[o] = a / area;
      out[o + 1] = b / area;
      out[o + 2] = d / area;
    }
  }
}

/**
 * Of the edge strength that differs between a half-res block now and in the background `L` (scaled by
 * `gain`), the share gained now: 1 for edges that appeared (an object arrived), 0 for edges that vanished
 * (ground uncovered), about ½ when nothing differs.
 */
function edgeGain(cur: ArrayLike<number>, L: ArrayLike<number>, w: number, x0: number, y0: number, side: number, gain: number): number {
  let gained = 0,
    lost = 0;
  const sum = (img: ArrayLike<number>, i: number, k: number) => k * (img[i]! + img[i + 1]! + img[i + 2]!);
  for (let y = y0; y < y0 + side; y++) {
    for (let x = x0; x < x0 + side; x++) {
      const i = (y * w + x) * 3;
      const right = x + 1 < x0 + side ? i + 3 : i,
        down = y + 1 < y0 + side ? i + w * 3 : i;
      const now = Math.abs(sum(cur, right, 1) - sum(cur, i, 1)) + Math.abs(sum(cur, down, 1) - sum(cur, i, 1));
      const then = Math.abs(sum(L, right, gain) - sum(L, i, gain)) + Math.abs(sum(L, down, gain) - sum(L, i, gain));
      if (now > then) gained += now - then;
      else lost += then - now;
    }
  }
  return (gained + 1) / (gained + lost + 2);
}
