/** Fitting the rotation classifier: each sample pass is one normal frame under a random quarter turn, softmax cross-entropy at every output block. */
import type { FrameInput } from '../frameInput.js';
import { centredTrainingImages, type NetGrid } from '../tinyConvNet/frameImage.js';
import { backward, forward, initParams, seededRandom, toPlanar, type LayerSpec } from '../tinyConvNet/layers.js';
import { trainNet, type TrainParams, type TrainReport } from '../tinyConvNet/train.js';
import { rotate, ROTATIONS } from './model.js';

export interface FittedRotation {
  weights: Float32Array[];
  mean: Float32Array;
  /** Indices of the frames trained on. */
  frames: number[];
  report: TrainReport;
}

export async function fitRotation(frames: FrameInput[], layers: readonly LayerSpec[], grid: NetGrid, params: TrainParams & { seed: number }): Promise<FittedRotation> {
  const { chosen, mean, images: picked } = centredTrainingImages('rotation', frames, grid, params.maxFrames);
  const random = seededRandom(params.seed);
  // All four turns of every frame, planar, made once: rotating is cheap, but not free 1,000 times over.
  const rotated = picked.map((img) =>
    Array.from({ length: ROTATIONS }, (_, r) => {
      const t = rotate(img, grid.height, grid.width, 3, r);
      return { data: toPlanar(t.data, { h: t.h, w: t.w, c: 3 }), shape: { h: t.h, w: t.w, c: 3 } };
    }),
  );
  const weights = initParams(layers, random);
  const report = await trainNet(
    layers,
    weights,
    picked.length,
    (i, grads) => {
      const r = Math.floor(random() * ROTATIONS);
      const { data, shape } = rotated[i]![r]!;
      const trace = forward(layers, weights, data, shape);
      const logits = trace.values.at(-1)!;
      const n = logits.length / ROTATIONS;
      const d = new Float32Array(logits.length);
      let loss = 0;
      for (let p = 0; p < n; p++) {
        let max = -Infinity;
        for (let k = 0; k < ROTATIONS; k++) max = Math.max(max, logits[k * n + p]!);
        let z = 0;
        for (let k = 0; k < ROTATIONS; k++) z += Math.exp(logits[k * n + p]! - max);
        for (let k = 0; k < ROTATIONS; k++) {
          const prob = Math.exp(logits[k * n + p]! - max) / z;
          d[k * n + p] = (prob - (k === r ? 1 : 0)) / n;
          if (k === r) loss -= Math.log(Math.max(prob, 1e-12));
        }
      }
      backward(layers, weights, trace, d, grads);
      return loss / n;
    },
    { ...params, random },
  );
  return { weights, mean, frames: chosen, report };
}
