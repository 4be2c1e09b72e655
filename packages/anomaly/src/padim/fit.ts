/** Fitting PaDiM: stream backbone features of the training frames into per-cell moments, pool neighbours, shrink, factor. */
import { choleskyPacked, GaussianMoments, ledoitWolf } from '../features/gaussian.js';
import { extractAll, type CellFeatureExtractor } from '../features/patchFeatures.js';
import { evenlySpaced } from '../features/sampling.js';
import type { FrameInput } from '../frameInput.js';
import { CellGaussians, selectChannels, type PadimParams } from './model.js';

/** Training frames whose in-sample distances set each cell's baseline. */
const BASELINE_FRAMES = 40;

export function fitCellGaussians(
  frames: readonly FrameInput[],
  extractor: CellFeatureExtractor,
  channels: readonly number[],
  params: Pick<PadimParams, 'poolRadius' | 'ridge' | 'batch' | 'maxTrainFrames'>,
): { gaussians: CellGaussians; baseline: Float32Array; meanShrinkage: number } {
  const { cols, rows } = extractor.grid;
  const cells = cols * rows,
    d = channels.length;
  const moments = Array.from({ length: cells }, () => new GaussianMoments(d));
  const selected = new Float32Array(cells * d);
  const used = evenlySpaced(frames, params.maxTrainFrames);
  // A few frames' features are kept to measure each cell's typical in-sample distance afterwards.
  const keepEvery = Math.max(1, Math.floor(used.length / BASELINE_FRAMES));
  const kept: Float32Array[] = [];
  let index = 0;
  for (let i = 0; i < used.length; i += params.batch) {
    for (const features of extractAll(extractor, used.slice(i, i + params.batch), params.batch)) {
      selectChannels(features, extractor.dims, channels, selected);
      for (let c = 0; c < cells; c++) moments[c]!.add(selected, c * d);
      if (index++ % keepEvery === 0) kept.push(Float32Array.from(selected));
    }
  }
  const mean = new Float32Array(cells * d);
  const triangle = (d * (d + 1)) / 2;
  const chol = new Float32Array(cells * triangle);
  const r = params.poolRadius;
  let shrinkSum = 0;
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) {
      const pooled = new GaussianMoments(d);
      for (let yy = Math.max(0, y - r); yy <= Math.min(rows - 1, y + r); yy++) {
        for (let xx = Math.max(0, x - r); xx <= Math.min(cols - 1, x + r); xx++) pooled.addAll(moments[yy * cols + xx]!);
      }
      const g = ledoitWolf(pooled, params.ridge);
      const c = y * cols + x;
      for (let k = 0; k < d; k++) mean[c * d + k] = g.mean[k]!;
      chol.set(choleskyPacked(g.covariance, d), c * triangle);
      shrinkSum += g.shrinkage;
    }
  }
  const gaussians = new CellGaussians(cells, d, mean, chol);
  const baseline = new Float32Array(cells);
  const dist = new Float32Array(cells);
  for (const x of kept) {
    gaussians.distances(x, dist);
    for (let c = 0; c < cells; c++) baseline[c]! += dist[c]! / kept.length;
  }
  return { gaussians, baseline, meanShrinkage: shrinkSum / cells };
}
