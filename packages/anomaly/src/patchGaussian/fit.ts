/**
 * Fitting PatchGaussian from normal frames: sample mean and covariance per patch location, the
 * correlations shrunk toward 0 (Schäfer & Strimmer 2005, "A shrinkage approach to large-scale
 * covariance matrix estimation", target D: Σ* = (1 − λ) S + λ diag(S), λ estimated in closed form),
 * and each variance floored so a near-constant patch does not turn codec noise into distance.
 */
import { ModelError } from '@vigil/core';
import type { FrameInput } from '../frameInput.js';
import { FEATURE_COUNT, FeatureExtractor, PatchGaussians, type PatchGaussianParams, type PatchGrid } from './model.js';

/** Fewer frames with a previous frame than this and the per-patch covariance is not worth fitting. */
export const MIN_TRAINING_FRAMES = 10;

export interface FittedPatchGaussians {
  grid: PatchGrid;
  gaussians: PatchGaussians;
  /** Frames used (those with a previous frame). */
  frames: number;
  /** Mean shrinkage λ over patch locations, for the manifest. */
  meanShrinkage: number;
}

export function fitPatchGaussians(frames: FrameInput[], params: PatchGaussianParams): FittedPatchGaussians {
  const usable = frames.filter((f) => f.prev !== undefined);
  if (usable.length < MIN_TRAINING_FRAMES) {
    throw new ModelError(`PatchGaussian needs at least ${MIN_TRAINING_FRAMES} consecutive frame pairs to fit, got ${usable.length}`);
  }
  const first = usable[0]!;
  const extractor = new FeatureExtractor(first.width, first.height, params);
  const P = extractor.patchCount;
  const D = FEATURE_COUNT;
  const N = usable.length;
  const all = new Float32Array(N * P * D);
  usable.forEach((frame, n) => {
    extractor.extract(frame, all.subarray(n * P * D, (n + 1) * P * D));
  });

  const { cols, rows } = extractor.grid;
  const mean = new Float32Array(P * D);
  const covariance = new Float32Array(P * D * D);
  const r = params.poolRadius;
  const neighbours: number[] = [];
  let shrinkSum = 0;
  const mu = new Float64Array(D);
  const S = new Float64Array(D * D);
  const sd = new Float64Array(D);
  const w = new Float64Array(D * D);
  const w2 = new Float64Array(D * D);

  for (let pr = 0; pr < rows; pr++) {
    for (let pc = 0; pc < cols; pc++) {
      const p = pr * cols + pc;
      neighbours.length = 0;
      for (let dy = -r; dy <= r; dy++) {
        for (let dx = -r; dx <= r; dx++) {
          const y = pr + dy, x = pc + dx;
          if (y >= 0 && y < rows && x >= 0 && x < cols) neighbours.push(y * cols + x);
        }
      }
      const n = N * neighbours.length;
      mu.fill(0);
      for (let s = 0; s < N; s++) for (const q of neighbours) for (let i = 0; i < D; i++) mu[i] += all[(s * P + q) * D + i]!;
      for (let i = 0; i < D; i++) mu[i] /= n;
      S.fill(0);
      for (let s = 0; s < N; s++) {
        for (const q of neighbours) {
          const o = (s * P + q) * D;
          for (let i = 0; i < D; i++) {
            const a = all[o + i]! - mu[i]!;
            for (let j = 0; j <= i; j++) S[i * D + j] += a * (all[o + j]! - mu[j]!);
          }
        }
      }
      for (let i = 0; i < D; i++) for (let j = 0; j <= i; j++) S[j * D + i] = S[i * D + j] /= n - 1;
      for (let i = 0; i < D; i++) sd[i] = Math.sqrt(Math.max(S[i * D + i]!, 1e-12));

      let lambda: number;
      if (params.shrinkage === 'auto') {
        // Schäfer–Strimmer on standardised data: λ = Σ_{i≠j} Var(r_ij) / Σ_{i≠j} r_ij².
        w.fill(0);
        w2.fill(0);
        for (let s = 0; s < N; s++) {
          for (const q of neighbours) {
            const o = (s * P + q) * D;
            for (let i = 1; i < D; i++) {
              const a = (all[o + i]! - mu[i]!) / sd[i]!;
              for (let j = 0; j < i; j++) {
                const v = a * ((all[o + j]! - mu[j]!) / sd[j]!);
                w[i * D + j] += v;
                w2[i * D + j] += v * v;
              }
            }
          }
        }
        let num = 0, den = 0;
        for (let i = 1; i < D; i++) {
          for (let j = 0; j < i; j++) {
            const wm = w[i * D + j]! / n;
            const varW = w2[i * D + j]! / n - wm * wm;
            num += (n / ((n - 1) ** 3)) * n * varW;
            const rij = (n / (n - 1)) * wm;
            den += rij * rij;
          }
        }
        lambda = den > 0 ? Math.min(1, Math.max(params.minShrinkage, num / den)) : 1;
      } else {
        lambda = params.shrinkage;
      }
      shrinkSum += lambda;

      // Σ = diag(σ̃) R* diag(σ̃): shrunk correlations R*, floored standard deviations σ̃ — stays positive definite.
      for (let i = 0; i < D; i++) {
        mean[p * D + i] = mu[i]!;
        sd[i] = Math.max(sd[i]!, params.minStd[i] ?? 0);
      }
      for (let i = 0; i < D; i++) {
        for (let j = 0; j < D; j++) {
          let v: number;
          if (i === j) v = sd[i]! * sd[i]!;
          else {
            const raw = Math.sqrt(Math.max(S[i * D + i]!, 1e-12) * Math.max(S[j * D + j]!, 1e-12));
            v = (1 - lambda) * (S[i * D + j]! / raw) * sd[i]! * sd[j]!;
          }
          covariance[p * D * D + i * D + j] = v;
        }
      }
    }
  }
  return { grid: extractor.grid, gaussians: new PatchGaussians(P, mean, covariance), frames: N, meanShrinkage: shrinkSum / P };
}
