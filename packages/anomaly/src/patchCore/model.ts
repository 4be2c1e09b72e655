/**
 * PatchCore — Roth et al., "Towards Total Recall in Industrial Anomaly Detection", CVPR 2022. A memory
 * bank M of locally aware patch features (mid-level backbone features averaged over each patch's 3 × 3
 * neighbourhood, §3.1) from normal images, subsampled by greedy coreset (§3.2); a test patch's score is
 * its distance to the nearest bank entry, s = min_{m∈M} ‖p − m‖₂ (eq. 6), and the image score is the
 * maximum over patches. Here the patches are the ensemble's 8-px cells over the CenterNet MobileNetV3's
 * stride-8 and stride-16 layers, standardised per channel so the two layers weigh alike.
 * One deliberate change for a fixed camera: each bank entry remembers the cell it came from, the coreset
 * is taken per block of cells, and a test patch is compared only with entries from within `radius`
 * cells of its own. A car's patch is normal on the road and anomalous on the pavement; the paper's
 * position-free search would call both normal. It also keeps the search small: brute force over the
 * few dozen entries near each cell, in plain JS, a few million multiply-adds a frame. The paper's
 * optional reweighting (eq. 7) is left out.
 */
import { squaredDistanceBelow } from '../features/distance.js';

export interface PatchCoreParams {
  /** Share of each block's training patches the coreset keeps… */
  coresetRatio: number;
  /** …but at least this many per block. */
  minPerBlock: number;
  /** Side, in cells, of the blocks the coreset is taken in. */
  blockSize: number;
  /** A test patch is compared with bank entries from cells within this Chebyshev radius of its own. */
  radius: number;
  /** Dimensions of the random projection the coreset search measures in. */
  projectionDims: number;
  seed: number;
  /** Neighbourhood averaged into each patch (odd; PatchCore: 3). */
  neighbourhood: number;
  smooth: boolean;
  batch: number;
  /** Bank candidates come from at most this many frames, evenly spaced. */
  maxTrainFrames: number;
}

export const defaultPatchCoreParams: PatchCoreParams = {
  coresetRatio: 0.025,
  minPerBlock: 8,
  blockSize: 4,
  radius: 3,
  projectionDims: 24,
  seed: 11,
  neighbourhood: 3,
  smooth: true,
  batch: 8,
  maxTrainFrames: 150,
};

/** Per-channel standardisation, then p × p average pooling over the cell grid (edges average what exists). */
export function locallyAware(features: Float32Array, cols: number, rows: number, d: number, mean: Float32Array, std: Float32Array, p: number, out: Float32Array): Float32Array {
  const z = new Float32Array(features.length);
  for (let c = 0; c < cols * rows; c++) for (let k = 0; k < d; k++) z[c * d + k] = (features[c * d + k]! - mean[k]!) / std[k]!;
  const r = (p - 1) / 2;
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) {
      const o = (y * cols + x) * d;
      out.fill(0, o, o + d);
      let n = 0;
      for (let yy = Math.max(0, y - r); yy <= Math.min(rows - 1, y + r); yy++) {
        for (let xx = Math.max(0, x - r); xx <= Math.min(cols - 1, x + r); xx++) {
          const s = (yy * cols + xx) * d;
          for (let k = 0; k < d; k++) out[o + k]! += z[s + k]!;
          n++;
        }
      }
      for (let k = 0; k < d; k++) out[o + k]! /= n;
    }
  }
  return out;
}

export class MemoryBank {
  readonly size: number;
  /** Per test cell, the bank entries within `radius` cells of it. */
  private readonly candidates: Int32Array[];

  constructor(
    readonly d: number,
    readonly bank: Float32Array,
    /** The cell (y · cols + x) each entry came from. */
    readonly cellOf: Int32Array,
    readonly cols: number,
    readonly rows: number,
    readonly radius: number,
  ) {
    if (bank.length === 0 || bank.length % d !== 0) throw new RangeError(`bank of ${bank.length} values is not a whole number of ${d}-d patches`);
    this.size = bank.length / d;
    if (cellOf.length !== this.size) throw new RangeError(`bank has ${this.size} entries but ${cellOf.length} cells`);
    const byCell: number[][] = Array.from({ length: cols * rows }, () => []);
    cellOf.forEach((c, i) => {
      if (!(c >= 0 && c < cols * rows)) throw new RangeError(`bank entry ${i} comes from cell ${c}, outside the ${cols}x${rows} grid`);
      byCell[c]!.push(i);
    });
    this.candidates = byCell.map((_, c) => {
      const x = c % cols,
        y = Math.floor(c / cols);
      const near: number[] = [];
      for (let yy = Math.max(0, y - radius); yy <= Math.min(rows - 1, y + radius); yy++) {
        for (let xx = Math.max(0, x - radius); xx <= Math.min(cols - 1, x + radius); xx++) near.push(...byCell[yy * cols + xx]!);
      }
      // A cell with no entry near it (possible only with odd parameters) searches the whole bank.
      return Int32Array.from(near.length > 0 ? near : Array.from({ length: this.size }, (_, i) => i));
    });
  }

  /** Distance of each cell's patch (cells × d) to its nearest bank entry from nearby cells. */
  nearest(patches: Float32Array, out: Float32Array): Float32Array {
    const { d, bank } = this;
    for (let c = 0; c < this.candidates.length; c++) {
      const p = c * d;
      let best = Infinity;
      for (const e of this.candidates[c]!) {
        const s = squaredDistanceBelow(patches, p, bank, e * d, d, best);
        if (s < best) best = s;
      }
      out[c] = Math.sqrt(best);
    }
    return out;
  }
}
