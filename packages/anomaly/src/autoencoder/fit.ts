/** Fitting the autoencoder: normal frames, mean squared reconstruction error over the frame's pixels, Adam. */
import type { FrameInput } from '../frameInput.js';
import { centredTrainingImages, type NetGrid } from '../tinyConvNet/frameImage.js';
import { backward, forward, initParams, seededRandom, toPlanar, type LayerSpec } from '../tinyConvNet/layers.js';
import { trainNet, type TrainParams, type TrainReport } from '../tinyConvNet/train.js';

export interface FittedAutoencoder {
  weights: Float32Array[];
  mean: Float32Array;
  /** Indices of the frames trained on. */
  frames: number[];
  report: TrainReport;
}

export async function fitAutoencoder(frames: FrameInput[], layers: readonly LayerSpec[], grid: NetGrid, params: TrainParams & { seed: number }): Promise<FittedAutoencoder> {
  const { chosen, mean, images } = centredTrainingImages('autoencoder', frames, grid, params.maxFrames);
  const random = seededRandom(params.seed);
  const shape = { h: grid.height, w: grid.width, c: 3 };
  const planar = images.map((img) => toPlanar(img, shape));
  const weights = initParams(layers, random);
  const plane = grid.width * grid.height;
  // Padding pixels (edge copies) carry no loss: the map never reads them.
  const inImage = new Float32Array(plane);
  for (let y = 0; y < grid.imageHeight; y++) inImage.fill(1, y * grid.width, y * grid.width + grid.imageWidth);
  const n = 3 * grid.imageWidth * grid.imageHeight;
  const report = await trainNet(
    layers,
    weights,
    planar.length,
    (i, grads) => {
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
    },
    { ...params, random },
  );
  return { weights, mean, frames: chosen, report };
}
