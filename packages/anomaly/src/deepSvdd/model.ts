/**
 * Deep SVDD — Ruff et al., "Deep One-Class Classification", ICML 2018, applied per patch: a network
 * φ(·; W) maps every normal patch into a hypersphere of minimum volume around a centre c, by
 * minimising  (1/n) Σ ‖φ(x_i; W) − c‖² + (λ/2) Σ ‖W‖²  (their eq. 4, one-class objective); the anomaly
 * score of a patch is ‖φ(x; W*) − c‖² (eq. 5). As the paper requires against the trivial solution φ ≡ c,
 * the net has no bias terms and no bounded activations (leaky ReLU), and c is fixed before training to
 * the mean of the initial outputs, coordinates near zero pushed to ±ε. Fully convolutional on the
 * 4×-downscaled frame with one stride-2 conv, so each output is one 8-px cell's patch (receptive
 * field ~44 px) — patch-level, as Patch SVDD (Yi & Yoon, ACCV 2020) does it densely.
 */
import { tf } from '../backend/tfBackend.js';
import { conv, type LayerSpec } from '../tinyConvNet/layers.js';
import type { NetGrid } from '../tinyConvNet/frameImage.js';
import { tfForward } from '../tinyConvNet/tfForward.js';

/** One stride-2 level: the net's input must be even. */
export const DEEP_SVDD_MULTIPLE = 2;

export function deepSvddLayers(width: number, dims: number): LayerSpec[] {
  return [conv(3, width, { stride: 2, bias: false, activation: 'leaky' }), conv(width, width, { bias: false, activation: 'leaky' }), conv(width, dims, { bias: false, activation: 'linear' })];
}

/** ‖φ(x) − c‖² of every output cell (row stride grid.width / 2), on the active tfjs backend. */
export function centreDistances(layers: readonly LayerSpec[], weights: readonly Float32Array[], centre: Float32Array, image: Float32Array, grid: NetGrid): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor4d(image, [1, grid.height, grid.width, 3]);
    const d = tf.sub(tfForward(layers, weights, x), tf.tensor1d(centre));
    return tf.sum(tf.square(d), -1).dataSync() as Float32Array;
  });
}

/** The paper's guard: a centre coordinate too close to 0 lets a net with ~0 weights reach it. */
export function pushFromZero(centre: Float32Array, eps: number): Float32Array {
  for (let i = 0; i < centre.length; i++) if (Math.abs(centre[i]!) < eps) centre[i] = centre[i]! < 0 ? -eps : eps;
  return centre;
}
