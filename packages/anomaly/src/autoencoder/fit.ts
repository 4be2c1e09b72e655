/** Fitting the autoencoder: normal frames, mean squared reconstruction error over the frame's pixels, Adam. */
import { ModelError } from '@vigil/core';
import type { FrameInput } from '../frameInput.js';
import { channelMean, frameImage, type NetGrid } from '../tinyConvNet/frameImage.js';
import { backward, forward, initParams, seededRandom, toPlanar, type LayerSpec } from '../tinyConvNet/layers.js';
import { evenlySpaced, trainNet, type TrainParams, type TrainReport } from '../tinyConvNet/train.js';

export const MIN_TRAINING_FRAMES = 10;

export interface FittedAutoencoder {
  weights: Float32Array[];
  mean: Float32Array;
  /** Indices of the frames trained on. */
  frames: number[];
  report: TrainReport;
}

export async function fitAutoencoder(frames: FrameInput[], layers: readonly LayerSpec[], grid: NetGrid, params: TrainParams & { seed: number }): Promise<FittedAutoencoder> {
  if (frames.length < MIN_TRAINING_FRAMES) throw new ModelError(`autoencoder needs at least ${MIN_TRAINING_FRAMES} training frames, got ${frames.length}`);
  const random = seededRandom(params.seed);
  const chosen = evenlySpaced(frames.length, params.maxFrames);
  const picked = chosen.map((i) => frameImage(frames[i]!, grid));
  const mean = channelMean(picked, grid);
  const shape = { h: grid.height, w: grid.width, c: 3 };
  const planar = picked.map((img) => {
    for (let i = 0; i < img.length; i++) img[i]! -= mean[i % 3]!;
    return toPlanar(img, shape);
  });
  const weights = initParams(layers, random);
  const plane = grid.width * grid.height;
  // Padding pixels (edge copies) carry no loss: the map never reads them.
  const inImage = new Float32Array(plane);
  for (let y = 0; y < grid.imageHeight; y++) inImage.fill(1, y * grid.width, y * grid.width + grid.imageWidth);
  const n = 3 * grid.imageWidth * grid.imageHeight;
  const report = await trainNet(layers, weights, planar.length, (i, grads) => {
    const x = planar[i]!;
    const trace = forward(layers, weights, x, shape);
    const y = trace.values[trace.values.length - 1]!;
    const d = new Float32Array(y.length);
    let loss = 0;
    for (let k = 0; k < y.length; k++) {
      const e = (y[k]! - x[k]!) * inImage[k % plane]!;
      loss += e * e;
      d[k] = (2 * e) / n;
    }
    backward(layers, weights, trace, d, grads);
    return loss / n;
  }, { ...params, random });
  return { weights, mean, frames: chosen, report };
}
