/** Fitting the image-level members: pooled, standardised features of the training frames, then a shrunk Gaussian or the k-NN bank. */
import { choleskyPacked, GaussianMoments, ledoitWolf } from '../features/gaussian.js';
import { extractAll, type CellFeatureExtractor } from '../features/patchFeatures.js';
import type { FrameInput } from '../frameInput.js';
import { evenlySpaced } from '../features/sampling.js';
import { channelStats, pooledFeatures, standardise } from './model.js';

export interface PooledTraining {
  rows: Float32Array[];
  mean: Float32Array;
  std: Float32Array;
}

export function pooledTraining(frames: readonly FrameInput[], extractor: CellFeatureExtractor, batch: number, maxTrainFrames: number): PooledTraining {
  const raw = extractAll(extractor, evenlySpaced(frames, maxTrainFrames), batch).map((f) => pooledFeatures(f, extractor.cells, extractor.dims));
  const { mean, std } = channelStats(raw);
  return { rows: raw.map((r) => standardise(r, mean, std)), mean, std };
}

export function fitImageGaussian(rows: readonly Float32Array[], ridge: number): { mean: Float32Array; chol: Float32Array; shrinkage: number } {
  const d = rows[0]!.length;
  const m = new GaussianMoments(d);
  for (const r of rows) m.add(r);
  const g = ledoitWolf(m, ridge);
  return { mean: Float32Array.from(g.mean), chol: choleskyPacked(g.covariance, d), shrinkage: g.shrinkage };
}
