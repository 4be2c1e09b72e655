/**
 * Image-level density members on globally pooled backbone features (each frame → one vector: the mean
 * and the maximum over the 8-px cells of every channel of the CenterNet MobileNetV3's stride-8 and
 * stride-16 layers, standardised per channel on the training frames).
 * - imageGaussian: one Gaussian over those vectors, Ledoit–Wolf shrunk (Ledoit & Wolf 2004); score = the
 *   Mahalanobis distance (as Rippel et al., "Modeling the Distribution of Normal Data in Pre-Trained Deep
 *   Features for Anomaly Detection", ICPR 2020).
 * - imageKnn: score = mean distance to the k nearest training frames (as Bergman et al., "Deep Nearest
 *   Neighbor Anomaly Detection", 2020), measured after whitening by the same shrunk covariance: with a
 *   few dozen frames in 240 dimensions, plain Euclidean distance is swamped by the many noisy channels
 *   (measured: a stopped vehicle was missed in 33 of 37 frames), whitening weighs each direction by how
 *   much it varies on this camera.
 * Both judge the whole frame: they say *that* a frame is unusual, not where. Their map is all zeros on
 * the ensemble's cell grid, so they raise the frame's score without drawing a region.
 */
import { tf } from '../backend/tfBackend.js';

/** y = C⁻¹(x − centre) for Σ = CCᵀ given packed C: the frame vector in whitened coordinates. */
export function whiten(x: Float32Array, centre: Float32Array, chol: Float32Array): Float32Array {
  const d = centre.length;
  const y = new Float32Array(d);
  let r = 0;
  for (let i = 0; i < d; i++) {
    let s = x[i]! - centre[i]!;
    for (let k = 0; k < i; k++) s -= chol[r + k]! * y[k]!;
    y[i] = s / chol[r + i]!;
    r += i + 1;
  }
  return y;
}

export function pooledFeatures(cellFeatures: Float32Array, cells: number, d: number): Float32Array {
  const out = new Float32Array(2 * d);
  out.fill(-Infinity, d);
  for (let c = 0; c < cells; c++) {
    for (let k = 0; k < d; k++) {
      const v = cellFeatures[c * d + k]!;
      out[k]! += v / cells;
      if (v > out[d + k]!) out[d + k] = v;
    }
  }
  return out;
}

export function standardise(x: Float32Array, mean: Float32Array, std: Float32Array): Float32Array {
  return x.map((v, k) => (v - mean[k]!) / std[k]!);
}

/** Mean and standard deviation per dimension (std floored so a silent channel is not amplified into noise). */
export function channelStats(rows: readonly Float32Array[]): { mean: Float32Array; std: Float32Array } {
  const d = rows[0]!.length,
    n = rows.length;
  const mean = new Float32Array(d),
    std = new Float32Array(d);
  for (const r of rows) for (let k = 0; k < d; k++) mean[k]! += r[k]! / n;
  for (const r of rows) for (let k = 0; k < d; k++) std[k]! += (r[k]! - mean[k]!) ** 2 / n;
  for (let k = 0; k < d; k++) std[k] = Math.max(1e-3, Math.sqrt(std[k]!));
  return { mean, std };
}

/** Mean distance from `x` to its k nearest rows of `bank` (n × d). */
export function knnDistance(x: Float32Array, bank: Float32Array, d: number, k: number): number {
  const n = bank.length / d;
  const dists = tf.tidy(() => {
    const diff = tf.sub(tf.tensor2d(bank, [n, d]), tf.tensor2d(x, [1, d]));
    return tf.sqrt(tf.sum(tf.square(diff), 1)).dataSync() as Float32Array;
  });
  const sorted = Float32Array.from(dists).sort();
  const kk = Math.min(k, n);
  let s = 0;
  for (let i = 0; i < kk; i++) s += sorted[i]!;
  return s / kk;
}
