/** Fitting Deep SVDD: centre from the untrained net's mean output, then the one-class loss by Adam with decoupled weight decay. */
import type { FrameInput } from '../frameInput.js';
import { centredTrainingImages, type NetGrid } from '../tinyConvNet/frameImage.js';
import { backward, forward, initParams, seededRandom, toPlanar, type LayerSpec } from '../tinyConvNet/layers.js';
import { trainNet, type TrainParams, type TrainReport } from '../tinyConvNet/train.js';
import { pushFromZero } from './model.js';

export interface FittedDeepSvdd {
  weights: Float32Array[];
  centre: Float32Array;
  mean: Float32Array;
  /** Indices of the frames trained on. */
  frames: number[];
  report: TrainReport;
}

export interface DeepSvddFitParams extends TrainParams {
  dims: number;
  weightDecay: number;
  centreEps: number;
  seed: number;
}

export async function fitDeepSvdd(frames: FrameInput[], layers: readonly LayerSpec[], grid: NetGrid, params: DeepSvddFitParams): Promise<FittedDeepSvdd> {
  // Centred input: with no biases, the net's only offset is the input itself.
  const { chosen, mean, images } = centredTrainingImages('deepSvdd', frames, grid, params.maxFrames);
  const random = seededRandom(params.seed);
  const shape = { h: grid.height, w: grid.width, c: 3 };
  const planar = images.map((img) => toPlanar(img, shape));
  const weights = initParams(layers, random);
  const D = params.dims;
  const outW = grid.width / 2,
    outH = grid.height / 2;
  const plane = outW * outH;
  // Cells of the frame proper (not the edge padding) carry the loss.
  const cells: number[] = [];
  for (let y = 0; y < grid.cells.rows; y++) for (let x = 0; x < grid.cells.cols; x++) cells.push(y * outW + x);

  const centre = new Float32Array(D);
  for (const x of planar) {
    const y = forward(layers, weights, x, shape).values.at(-1)!;
    for (let k = 0; k < D; k++) for (const p of cells) centre[k]! += y[k * plane + p]!;
  }
  for (let k = 0; k < D; k++) centre[k]! /= planar.length * cells.length;
  pushFromZero(centre, params.centreEps);

  const n = cells.length;
  const report = await trainNet(
    layers,
    weights,
    planar.length,
    (i, grads) => {
      const trace = forward(layers, weights, planar[i]!, shape);
      const y = trace.values.at(-1)!;
      const d = new Float32Array(y.length);
      let loss = 0;
      for (let k = 0; k < D; k++) {
        const c = centre[k]!,
          o = k * plane;
        for (const p of cells) {
          const e = y[o + p]! - c;
          loss += e * e;
          d[o + p] = (2 * e) / n;
        }
      }
      backward(layers, weights, trace, d, grads);
      return loss / n;
    },
    { ...params, random, weightDecay: params.weightDecay },
  );
  return { weights, centre, mean, frames: chosen, report };
}
