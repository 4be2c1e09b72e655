/**
 * Self-supervised rotation prediction — Gidaris et al., "Unsupervised Representation Learning by
 * Predicting Image Rotations", ICLR 2018 (RotNet), used for anomaly detection as in Golan & El-Yaniv,
 * "Deep Anomaly Detection Using Geometric Transformations", NeurIPS 2018: a classifier f learns which of
 * the rotations T_r, r ∈ {0°, 90°, 180°, 270°}, was applied to a normal input; the normality score is
 * n(x) = (1/4) Σ_r f(T_r(x))_r, the mean softmax confidence on the true rotation (their simplified score),
 * and the anomaly score is 1 − n(x): what the net never saw, it cannot tell upright from rotated.
 * Patch-level: the classifier is fully convolutional on the 4×-downscaled frame with two stride-2
 * convs, so each output judges one 16-px block from a ~60-px patch around it; each rotation's
 * confidence map is rotated back onto the frame before averaging.
 */
import { tf } from '../backend/tfBackend.js';
import { conv, type LayerSpec } from '../tinyConvNet/layers.js';
import type { NetGrid } from '../tinyConvNet/frameImage.js';
import { tfForward } from '../tinyConvNet/tfForward.js';

export const ROTATIONS = 4;
/** Two stride-2 levels: the net's input must divide by 4 (each output block then maps onto 2 × 2 cells). */
export const ROTATION_MULTIPLE = 4;
export const ROTATION_STRIDE = 4;

export function rotationLayers(width: number): LayerSpec[] {
  return [conv(3, width, { stride: 2 }), conv(width, 2 * width, { stride: 2 }), conv(2 * width, 2 * width), conv(2 * width, ROTATIONS, { kernel: 1, activation: 'linear' })];
}

/**
 * Rotates a channels-last image by r × 90° counter-clockwise (r ∈ 0..3); returns the rotated image and
 * its height and width. Used for the net's inputs and, with c = 1, to turn output maps back.
 */
export function rotate(src: ArrayLike<number>, h: number, w: number, c: number, r: number): { data: Float32Array; h: number; w: number } {
  const q = ((r % 4) + 4) % 4;
  const oh = q % 2 === 0 ? h : w,
    ow = q % 2 === 0 ? w : h;
  const out = new Float32Array(h * w * c);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      // Counter-clockwise: (y, x) → (w−1−x, y) per quarter turn.
      let ny: number, nx: number;
      if (q === 0) [ny, nx] = [y, x];
      else if (q === 1) [ny, nx] = [w - 1 - x, y];
      else if (q === 2) [ny, nx] = [h - 1 - y, w - 1 - x];
      else [ny, nx] = [x, h - 1 - y];
      const s = (y * w + x) * c,
        d = (ny * ow + nx) * c;
      for (let k = 0; k < c; k++) out[d + k] = src[s + k]!;
    }
  }
  return { data: out, h: oh, w: ow };
}

/**
 * Mean confidence on the true rotation per output block of the (unrotated) net image, on the active
 * tfjs backend: row-major, (grid.height / 4) × (grid.width / 4).
 */
export function trueRotationConfidence(layers: readonly LayerSpec[], weights: readonly Float32Array[], image: Float32Array, grid: NetGrid): Float32Array {
  const H = grid.height,
    W = grid.width;
  const bh = H / ROTATION_STRIDE,
    bw = W / ROTATION_STRIDE;
  const mean = new Float32Array(bh * bw);
  // Rotations 0° and 180° share a shape, as do 90° and 270°: one batch each.
  for (const pair of [
    [0, 2],
    [1, 3],
  ] as const) {
    const rotated = pair.map((r) => rotate(image, H, W, 3, r));
    const { h, w } = rotated[0]!;
    const probs = tf.tidy(() => {
      const x = tf.tensor4d(Float32Array.from([...rotated[0]!.data, ...rotated[1]!.data]), [2, h, w, 3]);
      return tf.softmax(tfForward(layers, weights, x)).dataSync() as Float32Array;
    });
    const oh = h / ROTATION_STRIDE,
      ow = w / ROTATION_STRIDE,
      n = oh * ow;
    pair.forEach((r, b) => {
      const own = new Float32Array(n);
      for (let i = 0; i < n; i++) own[i] = probs[(b * n + i) * ROTATIONS + r]!;
      const back = rotate(own, oh, ow, 1, ROTATIONS - r);
      for (let i = 0; i < mean.length; i++) mean[i]! += back.data[i]! / ROTATIONS;
    });
  }
  return mean;
}
