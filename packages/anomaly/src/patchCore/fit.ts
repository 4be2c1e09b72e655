/** Fitting PatchCore: channel statistics, locally aware patches of the training frames, coreset → memory bank. */
import { extractAll, type CellFeatureExtractor } from '../features/patchFeatures.js';
import type { FrameInput } from '../frameInput.js';
import { evenlySpaced } from '../features/sampling.js';
import { greedyCoreset, randomProjection } from './coreset.js';
import { locallyAware, MemoryBank, type PatchCoreParams } from './model.js';

export interface FittedBank {
  bank: MemoryBank;
  mean: Float32Array;
  std: Float32Array;
  candidates: number;
}

export function fitMemoryBank(frames: readonly FrameInput[], extractor: CellFeatureExtractor, params: PatchCoreParams): FittedBank {
  const { cols, rows } = extractor.grid;
  const d = extractor.dims,
    cells = extractor.cells;
  const used = evenlySpaced(frames, params.maxTrainFrames);
  const features = extractAll(extractor, used, params.batch);
  const mean = new Float32Array(d),
    std = new Float32Array(d);
  const sum = new Float64Array(d),
    sq = new Float64Array(d);
  for (const f of features) {
    for (let c = 0; c < cells; c++) {
      for (let k = 0; k < d; k++) {
        const v = f[c * d + k]!;
        sum[k]! += v;
        sq[k]! += v * v;
      }
    }
  }
  const n = features.length * cells;
  for (let k = 0; k < d; k++) {
    mean[k] = sum[k]! / n;
    // A floor so a channel that never fires on this camera is not blown up into noise.
    std[k] = Math.max(1e-3, Math.sqrt(Math.max(0, sq[k]! / n - mean[k]! ** 2)));
  }
  const patches = new Float32Array(n * d);
  features.forEach((f, i) => locallyAware(f, cols, rows, d, mean, std, params.neighbourhood, patches.subarray(i * cells * d, (i + 1) * cells * d)));
  // Coreset per block of cells, so every part of the picture keeps its own normal patches.
  const entries: number[] = [];
  const b = params.blockSize;
  for (let by = 0; by < rows; by += b) {
    for (let bx = 0; bx < cols; bx += b) {
      const members: number[] = [];
      for (let f = 0; f < features.length; f++) {
        for (let y = by; y < Math.min(rows, by + b); y++) for (let x = bx; x < Math.min(cols, bx + b); x++) members.push(f * cells + y * cols + x);
      }
      const local = new Float32Array(members.length * d);
      members.forEach((m, i) => local.set(patches.subarray(m * d, (m + 1) * d), i * d));
      const m = Math.max(params.minPerBlock, Math.round(params.coresetRatio * members.length));
      const seed = params.seed + by * cols + bx;
      for (const i of greedyCoreset(randomProjection(local, d, params.projectionDims, seed), params.projectionDims, m, seed)) entries.push(members[i]!);
    }
  }
  const bank = new Float32Array(entries.length * d);
  const cellOf = new Int32Array(entries.length);
  entries.forEach((p, i) => {
    bank.set(patches.subarray(p * d, (p + 1) * d), i * d);
    cellOf[i] = p % cells;
  });
  return { bank: new MemoryBank(d, bank, cellOf, cols, rows, params.radius), mean, std, candidates: n };
}
