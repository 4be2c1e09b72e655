/**
 * PaDiM — Defard et al., "PaDiM: a Patch Distribution Modeling Framework for Anomaly Detection and
 * Localization", ICPR 2021. Per patch position (i, j) a Gaussian N(μᵢⱼ, Σᵢⱼ) over pretrained CNN
 * embeddings (concatenated layers, a random subset of their channels, §3.1); a patch's anomaly score is its
 * Mahalanobis distance M(xᵢⱼ) = √((xᵢⱼ − μᵢⱼ)ᵀ Σᵢⱼ⁻¹ (xᵢⱼ − μᵢⱼ)) (eq. 2). Here the positions are the
 * ensemble's 8-px cells, the embedding is the CenterNet MobileNetV3's stride-8 and stride-16 layers
 * (features/backbone.ts), and Σ is Ledoit–Wolf shrunk over the samples of the cell and its neighbours
 * (a fixed camera sees a few hundred frames, not the paper's thousands of images, per position).
 */
import { mahalanobis } from '../features/gaussian.js';

export interface PadimParams {
  /** Channels kept of the concatenated layers (PaDiM's random dimensionality reduction). */
  channels: number;
  /** Seed of that random choice: saved, so a restored model picks the same channels. */
  seed: number;
  /** Neighbouring cells (Chebyshev radius) whose samples join a cell's Gaussian. */
  poolRadius: number;
  /** Added to Σ's diagonal, relative to its mean variance (PaDiM: 0.01·I). */
  ridge: number;
  /** Smooth the cell map with a 3×3 binomial kernel (PaDiM smooths with a Gaussian, σ = 4 px). */
  smooth: boolean;
  /** Frames run through the backbone per call when fitting. */
  batch: number;
  /** Fit on at most this many frames, evenly spaced (time and memory bound on long clips). */
  maxTrainFrames: number;
}

export const defaultPadimParams: PadimParams = {
  channels: 100,
  seed: 7,
  poolRadius: 1,
  ridge: 0.01,
  smooth: true,
  batch: 8,
  maxTrainFrames: 600,
};

/** The fitted Gaussians: per cell a mean (d) and a packed Cholesky factor of Σ (d(d+1)/2). */
export class CellGaussians {
  readonly triangle: number;
  private readonly scratch: Float64Array;

  constructor(
    readonly cells: number,
    readonly d: number,
    readonly mean: Float32Array,
    readonly chol: Float32Array,
  ) {
    this.triangle = (d * (d + 1)) / 2;
    if (mean.length !== cells * d || chol.length !== cells * this.triangle) {
      throw new RangeError(`expected ${cells * d} means and ${cells * this.triangle} factor entries, got ${mean.length} and ${chol.length}`);
    }
    this.scratch = new Float64Array(d);
  }

  /** Mahalanobis distance of every cell of `x` (cells × d, the selected channels only). */
  distances(x: Float32Array, out: Float32Array): Float32Array {
    const { d, triangle } = this;
    for (let c = 0; c < this.cells; c++) out[c] = mahalanobis(x, c * d, this.mean, c * d, this.chol, c * triangle, d, this.scratch);
    return out;
  }

  /**
   * Distances in excess of each cell's mean in-sample distance, floored at 0. A normal d-dimensional
   * sample lies about √d from its mean, so raw distances sit on a high floor; removing it leaves the map
   * near 0 where the scene is normal, so a calibrated map's halo does not swallow the anomaly's box.
   */
  excess(x: Float32Array, baseline: Float32Array, out: Float32Array): Float32Array {
    this.distances(x, out);
    for (let c = 0; c < this.cells; c++) out[c] = Math.max(0, out[c]! - baseline[c]!);
    return out;
  }
}

/** Copies the chosen channels of every cell: cells × all → cells × channels.length. */
export function selectChannels(features: Float32Array, all: number, channels: readonly number[], out: Float32Array): Float32Array {
  const cells = features.length / all,
    d = channels.length;
  for (let c = 0; c < cells; c++) for (let k = 0; k < d; k++) out[c * d + k] = features[c * all + channels[k]!]!;
  return out;
}
