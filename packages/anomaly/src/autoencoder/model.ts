/**
 * Convolutional autoencoder — Hasan et al., "Learning Temporal Regularity in Video Sequences", CVPR 2016,
 * small: a fully convolutional encoder (two stride-2 convs) squeezes the frame into a narrow bottleneck,
 * a decoder (nearest ×2 upsampling + conv) rebuilds it, trained on normal frames to minimise
 * ‖x − f_W(x)‖². The per-pixel reconstruction error e(x, y) = ‖I(x, y) − f_W(I)(x, y)‖ (L2, or L1 by
 * param) is the pixel-level anomaly score (their eq. 3): what the net never saw, it rebuilds badly.
 * Runs on frames downscaled 4× (frameImage.ts), RGB, centred by the training frames' channel means.
 */
import { conv, upsample2, type LayerSpec } from '../tinyConvNet/layers.js';
import { tfForward } from '../tinyConvNet/tfForward.js';
import type { NetGrid } from '../tinyConvNet/frameImage.js';
import { tf } from '../backend/tfBackend.js';

/** The net's input must divide by this (two stride-2 levels). */
export const AUTOENCODER_MULTIPLE = 4;

export type ReconstructionError = 'l1' | 'l2';

/** `levels` stride-2 convs down (1 or 2), the bottleneck conv, and as many ×2 upsamplings back. */
export function autoencoderLayers(width: number, bottleneck: number, levels: 1 | 2): LayerSpec[] {
  if (levels === 1) {
    return [conv(3, width, { stride: 2 }), conv(width, bottleneck), upsample2, conv(bottleneck, width), conv(width, 3, { activation: 'linear' })];
  }
  return [conv(3, width, { stride: 2 }), conv(width, 2 * width, { stride: 2 }), conv(2 * width, bottleneck), upsample2, conv(bottleneck, width), upsample2, conv(width, 3, { activation: 'linear' })];
}

/** Per-net-pixel reconstruction error of one centred NHWC image (row stride grid.width), on the active tfjs backend. */
export function reconstructionError(layers: readonly LayerSpec[], weights: readonly Float32Array[], image: Float32Array, grid: NetGrid, error: ReconstructionError): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor4d(image, [1, grid.height, grid.width, 3]);
    const diff = tf.sub(tfForward(layers, weights, x), x);
    const e = error === 'l1' ? tf.sum(tf.abs(diff), -1) : tf.sqrt(tf.sum(tf.square(diff), -1));
    return e.dataSync() as Float32Array;
  });
}
