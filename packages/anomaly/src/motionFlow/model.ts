/**
 * MotionFlow — per-place density of motion direction and speed, scored by surprise.
 * Each cell of the grid keeps a histogram of the directions its traffic moved in (a smoothed,
 * Dirichlet-regularised categorical over `bins` sectors) and a log-normal for its speed, both pooled
 * over the smallest neighbourhood holding `minSamples` observations, so a lane seen by a few vehicles
 * still covers its width. A moving cell scores its self-information relative to the uniform direction,
 *   s_dir = max(0, −log(K · p(θ))),   s_speed = max(0, |log v − μ| / σ − z₀),
 * so a direction never seen there (wrong way) or an unusual speed is expensive, while places where
 * motion goes every way (swaying trees) learn a flat histogram and stay quiet. Still cells score 0.
 */
import type { FlowField, FlowParams } from './flow.js';

export interface MotionFlowParams extends FlowParams {
  /** Direction sectors. */
  bins: number;
  /** Pooled observations a cell's neighbourhood must reach before it stops widening. */
  minSamples: number;
  /** Widest pooling radius, in cells (Chebyshev). */
  maxPoolRadius: number;
  /** Dirichlet pseudo-count spread evenly over the sectors: how much evidence "never seen" needs. */
  prior: number;
  /** Smallest standard deviation of log speed. */
  minSpeedStd: number;
  /** Speed deviations (in σ) that are free. */
  speedFreeZ: number;
  /** Speed (full-res px per analysed frame) at which a direction counts half: slow vectors are noisy. */
  directionSpeedHalf: number;
  /** 3×3 binomial smoothing of the map, so one bad vector does not make a frame. */
  smooth: boolean;
  /** Floor of the raw frame score, so calibration on traffic-free footage cannot yield a zero threshold. */
  minRaw: number;
}

export const defaultMotionFlowParams: MotionFlowParams = {
  cell: 8,
  changeThreshold: 7,
  searchRadius: 8,
  maxMatchRatio: 0.8,
  minAgreeing: 2,
  bins: 16,
  minSamples: 30,
  maxPoolRadius: 4,
  prior: 2,
  minSpeedStd: 0.25,
  speedFreeZ: 2.5,
  directionSpeedHalf: 3,
  smooth: true,
  minRaw: 0.5,
};

/** Sector index and interpolation weight of an angle: the angle lies `frac` of the way from sector `b` to `b + 1`. */
export function sectorOf(angle: number, bins: number): { b: number; frac: number } {
  let u = (angle / (2 * Math.PI)) * bins;
  u = ((u % bins) + bins) % bins;
  const b = Math.floor(u);
  return { b: b % bins, frac: u - b };
}

/** Raw per-cell statistics of the flow seen in training, before pooling. */
export class FlowTally {
  readonly cells: number;
  readonly hist: Float64Array;
  readonly count: Float64Array;
  readonly logSpeed: Float64Array;
  readonly logSpeed2: Float64Array;

  constructor(
    readonly cols: number,
    readonly rows: number,
    readonly bins: number,
  ) {
    this.cells = cols * rows;
    this.hist = new Float64Array(this.cells * bins);
    this.count = new Float64Array(this.cells);
    this.logSpeed = new Float64Array(this.cells);
    this.logSpeed2 = new Float64Array(this.cells);
  }

  add(field: FlowField): void {
    const K = this.bins;
    for (let k = 0; k < this.cells; k++) {
      if (!field.valid[k]) continue;
      const dx = field.dx[k]!,
        dy = field.dy[k]!;
      const { b, frac } = sectorOf(Math.atan2(dy, dx), K);
      this.hist[k * K + b]! += 1 - frac;
      this.hist[k * K + ((b + 1) % K)]! += frac;
      const l = Math.log(Math.hypot(dx, dy));
      this.count[k]! += 1;
      this.logSpeed[k]! += l;
      this.logSpeed2[k]! += l * l;
    }
  }
}

/** The fitted model: per cell, the direction probabilities (`cells × bins`) and the log-speed Gaussian. */
export interface FlowDensity {
  cols: number;
  rows: number;
  bins: number;
  direction: Float32Array;
  speedMean: Float32Array;
  speedStd: Float32Array;
}

/** Pools each cell's neighbourhood until it holds `minSamples`, smooths the histogram over adjacent sectors, adds the prior. */
export function poolDensity(tally: FlowTally, params: MotionFlowParams): FlowDensity {
  const { cols, rows, bins: K, cells } = tally;
  const direction = new Float32Array(cells * K);
  const speedMean = new Float32Array(cells);
  const speedStd = new Float32Array(cells);
  const h = new Float64Array(K);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const k = r * cols + c;
      let n = 0,
        s = 0,
        s2 = 0;
      for (let radius = 1; radius <= params.maxPoolRadius; radius++) {
        h.fill(0);
        n = s = s2 = 0;
        for (let y = Math.max(0, r - radius); y <= Math.min(rows - 1, r + radius); y++) {
          for (let x = Math.max(0, c - radius); x <= Math.min(cols - 1, c + radius); x++) {
            const q = y * cols + x;
            n += tally.count[q]!;
            s += tally.logSpeed[q]!;
            s2 += tally.logSpeed2[q]!;
            for (let b = 0; b < K; b++) h[b]! += tally.hist[q * K + b]!;
          }
        }
        if (n >= params.minSamples) break;
      }
      for (let b = 0; b < K; b++) {
        const smoothed = 0.25 * h[(b + K - 1) % K]! + 0.5 * h[b]! + 0.25 * h[(b + 1) % K]!;
        direction[k * K + b] = (smoothed + params.prior / K) / (n + params.prior);
      }
      if (n >= 3) {
        const mu = s / n;
        speedMean[k] = mu;
        speedStd[k] = Math.max(params.minSpeedStd, Math.sqrt(Math.max(0, s2 / n - mu * mu)));
      } else {
        // Speed unknown here: wide enough that no speed is surprising.
        speedMean[k] = 0;
        speedStd[k] = 100;
      }
    }
  }
  return { cols, rows, bins: K, direction, speedMean, speedStd };
}

/** Surprise of each cell's flow under the density; cells without a reliable vector score 0. */
export function flowSurprise(field: FlowField, density: FlowDensity, params: MotionFlowParams, out: Float32Array): Float32Array {
  const K = density.bins;
  const half2 = params.directionSpeedHalf ** 2;
  for (let k = 0; k < out.length; k++) {
    if (!field.valid[k]) {
      out[k] = 0;
      continue;
    }
    const dx = field.dx[k]!,
      dy = field.dy[k]!;
    const speed2 = dx * dx + dy * dy;
    const { b, frac } = sectorOf(Math.atan2(dy, dx), K);
    const p = (1 - frac) * density.direction[k * K + b]! + frac * density.direction[k * K + ((b + 1) % K)]!;
    const sDir = Math.max(0, -Math.log(K * p)) * (speed2 / (speed2 + half2));
    const z = Math.abs(0.5 * Math.log(speed2) - density.speedMean[k]!) / density.speedStd[k]!;
    out[k] = sDir + Math.max(0, z - params.speedFreeZ);
  }
  return out;
}
