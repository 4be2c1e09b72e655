/**
 * PatchGaussian — PaDiM-style per-patch Gaussian over handcrafted features.
 * Defard et al., "PaDiM: a Patch Distribution Modeling Framework for Anomaly Detection and
 * Localization", ICPR 2021: one Gaussian N(μ_p, Σ_p) per patch location p, and the anomaly score of
 * patch p is its Mahalanobis distance  M(x_p) = sqrt((x_p − μ_p)ᵀ Σ_p⁻¹ (x_p − μ_p))  (eq. 2).
 * Instead of CNN embeddings the features are cheap appearance and motion statistics (see FEATURES).
 * Traffic makes one Gaussian per place bimodal — road, or a passing vehicle of any colour — so each
 * place has two, 'still' and 'moving' (split by the motion feature), and a patch scores its distance
 * to the nearer: a passing red car is near 'moving', a vehicle that stopped where traffic flows is
 * far from both. Σ is shrunk toward its diagonal (fit.ts) so that it is stable from ~100 frames.
 */
import type { FrameInput } from '../frameInput.js';

export interface PatchGaussianParams {
  /** Side of a square patch in pixels; a multiple of `stride`. */
  patchSize: number;
  /** Step between patches in pixels; patches overlap when smaller than `patchSize`. */
  stride: number;
  /** Shrinkage of the correlations toward 0: 'auto' (Schäfer–Strimmer estimate) or a fixed λ in [0, 1]. */
  shrinkage: 'auto' | number;
  /** Lower bound on λ when 'auto', so a short or repetitive training clip never yields a near-singular Σ. */
  minShrinkage: number;
  /** Smallest standard deviation per feature (same order as FEATURES): compression noise is not an anomaly. */
  minStd: number[];
  /** Neighbouring patch locations (Chebyshev radius) whose still samples join a location's 'still' Gaussian. */
  poolRadius: number;
  /** Motion feature above which a sample is 'moving' (log of mean |Δluma|, relative to the frame's median patch). */
  motionThreshold: number;
  /** A patch is 'moving' when any patch within this radius is over the motion threshold… */
  motionStateRadius: number;
  /** …and its own motion exceeds this floor: an object standing still beside passing traffic stays 'still'. */
  motionStateFloor: number;
  /** Radius pooled for the 'moving' Gaussian: traffic is sparse in time, so it borrows from a wider neighbourhood. */
  movingPoolRadius: number;
  /** Fewest samples a component needs; with fewer, 'moving' is left out and 'still' takes every sample. */
  minComponentSamples: number;
  /** Smallest standard deviations of the 'moving' Gaussian: a passing vehicle may be of any colour and brightness. */
  movingMinStd: number[];
}

/**
 * Per-patch features; the appearance ones come first so that, motion unknown, the appearance marginal
 * of the Gaussian is its leading block. Luma, gradient and motion are logs relative to the frame's
 * median patch, so a global exposure change or flicker moves every patch alike and cancels.
 */
export const FEATURES = ['luma', 'chromaU', 'chromaV', 'gradient', 'motion'] as const;
export const FEATURE_COUNT = FEATURES.length;
/** Features that do not need the previous frame. */
export const APPEARANCE_COUNT = 4;

export const defaultPatchGaussianParams: PatchGaussianParams = {
  patchSize: 16,
  stride: 8,
  shrinkage: 'auto',
  minShrinkage: 0.05,
  minStd: [0.03, 1.5, 1.5, 0.06, 0.08],
  poolRadius: 1,
  motionThreshold: 1.6,
  motionStateRadius: 3,
  motionStateFloor: 0.2,
  movingPoolRadius: 5,
  minComponentSamples: 12,
  movingMinStd: [0.6, 30, 30, 0.5, 0.6],
};

export interface PatchGrid {
  /** Patches across and down. */
  cols: number;
  rows: number;
  /** stride × stride cells across and down; patches are `k × k` blocks of cells. */
  cellCols: number;
  cellRows: number;
  k: number;
  /** Pixels covered by the grid, from the top-left corner (the rest of the frame is not analysed). */
  coveredWidth: number;
  coveredHeight: number;
}

export function patchGrid(width: number, height: number, params: Pick<PatchGaussianParams, 'patchSize' | 'stride'>): PatchGrid {
  const { patchSize, stride } = params;
  if (!(stride > 0) || patchSize % stride !== 0) throw new RangeError(`patchSize ${patchSize} must be a multiple of stride ${stride}`);
  const k = patchSize / stride;
  const cellCols = Math.floor(width / stride);
  const cellRows = Math.floor(height / stride);
  const cols = cellCols - k + 1;
  const rows = cellRows - k + 1;
  if (cols < 1 || rows < 1) throw new RangeError(`frame ${width}x${height} is smaller than one ${patchSize}px patch`);
  return { cols, rows, cellCols, cellRows, k, coveredWidth: cellCols * stride, coveredHeight: cellRows * stride };
}

/** Reusable scratch buffers for one frame size, so scoring allocates nothing per frame. */
export class FeatureExtractor {
  readonly grid: PatchGrid;
  private readonly luma: Float32Array;
  private readonly prevLuma: Float32Array;
  private readonly cellSums: Float64Array;
  private readonly scratch: Float32Array;

  constructor(
    readonly width: number,
    readonly height: number,
    readonly params: Pick<PatchGaussianParams, 'patchSize' | 'stride'>,
  ) {
    this.grid = patchGrid(width, height, params);
    this.luma = new Float32Array(width * height);
    this.prevLuma = new Float32Array(width * height);
    this.cellSums = new Float64Array(this.grid.cellCols * this.grid.cellRows * FEATURE_COUNT);
    this.scratch = new Float32Array(this.grid.cols * this.grid.rows);
  }

  get patchCount(): number {
    return this.grid.cols * this.grid.rows;
  }

  /**
   * Features of every patch, patch-major (`out[p * FEATURE_COUNT + f]`). Returns whether motion was
   * measured; without `prev` the motion feature is left 0 and must be ignored.
   */
  extract(input: FrameInput, out: Float32Array): boolean {
    const { width: W, height: H } = this;
    if (input.width !== W || input.height !== H) throw new RangeError(`frame is ${input.width}x${input.height}, expected ${W}x${H}`);
    const need = W * H * 3;
    if (input.data.length < need) throw new RangeError(`frame data has ${input.data.length} bytes, expected ${need}`);
    const hasMotion = input.prev !== undefined;
    if (input.prev && input.prev.length < need) throw new RangeError(`previous frame has ${input.prev.length} bytes, expected ${need}`);

    const { stride } = this.params;
    const { cellCols, k, cols, rows, coveredWidth, coveredHeight } = this.grid;
    const F = FEATURE_COUNT;
    const rgb = input.data;
    const Y = this.luma;
    const sums = this.cellSums;
    sums.fill(0);

    for (let y = 0; y < coveredHeight; y++) {
      const cellRow = ((y / stride) | 0) * cellCols;
      let i = y * W;
      for (let x = 0; x < coveredWidth; x++, i++) {
        const r = rgb[i * 3]!,
          g = rgb[i * 3 + 1]!,
          b = rgb[i * 3 + 2]!;
        const l = 0.299 * r + 0.587 * g + 0.114 * b;
        Y[i] = l;
        const c = (cellRow + ((x / stride) | 0)) * F;
        sums[c]! += l;
        sums[c + 1]! += 0.564 * (b - l);
        sums[c + 2]! += 0.713 * (r - l);
      }
    }
    // Gradient: |∂x| + |∂y| of luma by forward differences inside the covered area.
    for (let y = 0; y < coveredHeight; y++) {
      const cellRow = ((y / stride) | 0) * cellCols;
      const down = y + 1 < coveredHeight;
      let i = y * W;
      for (let x = 0; x < coveredWidth; x++, i++) {
        const l = Y[i]!;
        const gx = x + 1 < coveredWidth ? Math.abs(Y[i + 1]! - l) : 0;
        const gy = down ? Math.abs(Y[i + W]! - l) : 0;
        sums[(cellRow + ((x / stride) | 0)) * F + 3]! += gx + gy;
      }
    }
    if (input.prev) {
      const p = input.prev;
      const P = this.prevLuma;
      for (let y = 0; y < coveredHeight; y++) {
        const cellRow = ((y / stride) | 0) * cellCols;
        let i = y * W;
        for (let x = 0; x < coveredWidth; x++, i++) {
          const l = 0.299 * p[i * 3]! + 0.587 * p[i * 3 + 1]! + 0.114 * p[i * 3 + 2]!;
          P[i] = l;
          sums[(cellRow + ((x / stride) | 0)) * F + 4]! += Math.abs(Y[i]! - l);
        }
      }
    }

    // Patch = k × k block of cells.
    const area = k * stride * (k * stride);
    for (let pr = 0; pr < rows; pr++) {
      for (let pc = 0; pc < cols; pc++) {
        const o = (pr * cols + pc) * F;
        for (let f = 0; f < F; f++) out[o + f] = 0;
        for (let dy = 0; dy < k; dy++) {
          for (let dx = 0; dx < k; dx++) {
            const c = ((pr + dy) * cellCols + pc + dx) * F;
            for (let f = 0; f < F; f++) out[o + f]! += sums[c + f]!;
          }
        }
        out[o] = Math.log(out[o]! / area + 16);
        out[o + 1] = out[o + 1]! / area;
        out[o + 2] = out[o + 2]! / area;
        out[o + 3] = Math.log1p(out[o + 3]! / area);
        out[o + 4] = hasMotion ? Math.log1p(out[o + 4]! / area) : 0;
      }
    }
    this.subtractMedian(out, 0);
    this.subtractMedian(out, 3);
    if (hasMotion) this.subtractMedian(out, 4);
    return hasMotion;
  }

  private subtractMedian(out: Float32Array, f: number): void {
    const n = this.patchCount;
    const s = this.scratch;
    for (let p = 0; p < n; p++) s[p] = out[p * FEATURE_COUNT + f]!;
    s.sort();
    const median = n % 2 ? s[(n - 1) >> 1]! : 0.5 * (s[n / 2 - 1]! + s[n / 2]!);
    for (let p = 0; p < n; p++) out[p * FEATURE_COUNT + f] = out[p * FEATURE_COUNT + f]! - median;
  }
}

/** Per patch location, a Gaussian for each motion state; a sample is scored by the nearer one. */
export const COMPONENTS = ['still', 'moving'] as const;
export const COMPONENT_COUNT = COMPONENTS.length;
const MOVING = 1;
const MOTION = 4;

/**
 * Which patches are in the 'moving' state: some motion of their own, and motion above threshold
 * anywhere within `radius` patches. The neighbourhood matters because the uniform roof of a passing
 * car barely changes between frames while its edges do.
 */
export function motionStates(features: Float32Array, grid: PatchGrid, params: Pick<PatchGaussianParams, 'motionThreshold' | 'motionStateRadius' | 'motionStateFloor'>, out: Uint8Array): Uint8Array {
  const { cols, rows } = grid;
  const r = params.motionStateRadius;
  for (let pr = 0; pr < rows; pr++) {
    for (let pc = 0; pc < cols; pc++) {
      let moving = 0;
      if (features[(pr * cols + pc) * FEATURE_COUNT + MOTION]! <= params.motionStateFloor) {
        out[pr * cols + pc] = 0;
        continue;
      }
      for (let y = Math.max(0, pr - r); y <= Math.min(rows - 1, pr + r) && !moving; y++) {
        for (let x = Math.max(0, pc - r); x <= Math.min(cols - 1, pc + r); x++) {
          if (features[(y * cols + x) * FEATURE_COUNT + MOTION]! > params.motionThreshold) {
            moving = 1;
            break;
          }
        }
      }
      out[pr * cols + pc] = moving;
    }
  }
  return out;
}

/**
 * The fitted Gaussians, component-major within a patch: `mean[(p * C + c) * D + i]`, Σ likewise with
 * D × D entries, `present[p * C + c]` 1 when that component was fitted (a place where nothing ever
 * moved has no 'moving' component, so motion there stays anomalous). The lower Cholesky factor of each
 * Σ is computed once; because the appearance features lead, its leading block is the factor of the
 * appearance marginal, so a frame without motion is scored by the same factor, truncated.
 */
export class PatchGaussians {
  readonly chol: Float32Array;

  constructor(
    readonly patchCount: number,
    readonly mean: Float32Array,
    readonly covariance: Float32Array,
    readonly present: Float32Array,
  ) {
    const D = FEATURE_COUNT,
      C = COMPONENT_COUNT;
    if (mean.length !== patchCount * C * D || covariance.length !== patchCount * C * D * D || present.length !== patchCount * C) {
      throw new RangeError(
        `expected ${patchCount * C * D} means, ${patchCount * C * D * D} covariance entries and ${patchCount * C} flags, ` + `got ${mean.length}, ${covariance.length} and ${present.length}`,
      );
    }
    this.chol = new Float32Array(covariance.length);
    for (let p = 0; p < patchCount; p++) {
      let any = false;
      for (let c = 0; c < C; c++) {
        if (present[p * C + c] !== 1) continue;
        any = true;
        choleskyInto(covariance, this.chol, (p * C + c) * D * D, D);
      }
      if (!any) throw new RangeError(`patch ${p} has no fitted component`);
    }
  }

  /**
   * Mahalanobis distance of each patch (PaDiM eq. 2) to the component of its motion state: a still
   * sample is scored against 'still' only (a stopped object must not hide in the broad 'moving'
   * Gaussian), a moving one against the nearer of both. Motion unknown (`moving` null): the
   * nearer of both appearance marginals.
   */
  distances(features: Float32Array, moving: Uint8Array | null, out: Float32Array): Float32Array {
    const hasMotion = moving !== null;
    const D = FEATURE_COUNT,
      C = COMPONENT_COUNT;
    const dims = hasMotion ? D : APPEARANCE_COUNT;
    const z = new Float64Array(D);
    const { mean, chol, present } = this;
    for (let p = 0; p < this.patchCount; p++) {
      let best = Infinity;
      const still = moving !== null && moving[p] === 0;
      for (let c = 0; c < C; c++) {
        if (present[p * C + c] !== 1 || (still && c === MOVING)) continue;
        const m = (p * C + c) * D;
        const L = m * D;
        let d2 = 0;
        // Forward substitution L z = x − μ; then d² = |z|².
        for (let i = 0; i < dims; i++) {
          let v = features[p * D + i]! - mean[m + i]!;
          for (let j = 0; j < i; j++) v -= chol[L + i * D + j]! * z[j]!;
          const zi = v / chol[L + i * D + i]!;
          z[i] = zi;
          d2 += zi * zi;
        }
        if (d2 < best) best = d2;
      }
      out[p] = Math.sqrt(best);
    }
    return out;
  }
}

function choleskyInto(a: Float32Array, l: Float32Array, o: number, n: number): void {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[o + i * n + j]!;
      for (let k = 0; k < j; k++) s -= l[o + i * n + k]! * l[o + j * n + k]!;
      if (i === j) {
        if (!(s > 0))
          throw new RangeError(
            `covariance is not positive definite at ${o} ${i} ${s} ${Array.from(a.subarray(o, o + n * n))
              .map((v) => v.toExponential(2))
              .join(',')}`,
          );
        l[o + i * n + i] = Math.sqrt(s);
      } else {
        l[o + i * n + j] = s / l[o + j * n + j]!;
      }
    }
  }
}
