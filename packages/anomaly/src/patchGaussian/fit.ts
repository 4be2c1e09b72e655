/**
 * Fitting PatchGaussian from normal frames: per patch location and motion state, the sample mean and
 * covariance of the features, correlations shrunk toward 0 (Schäfer & Strimmer 2005, "A shrinkage
 * approach to large-scale covariance matrix estimation", target D: Σ* = (1 − λ) S + λ diag(S), λ in
 * closed form), and each standard deviation floored so a near-constant patch does not turn codec
 * noise into distance.
 */
import { ModelError } from '@vigil/core';
import type { FrameInput } from '../frameInput.js';
import { COMPONENT_COUNT, FEATURE_COUNT, FeatureExtractor, motionStates, PatchGaussians, type PatchGaussianParams, type PatchGrid } from './model.js';

/** Fewer frames with a previous frame than this and the per-patch covariance is not worth fitting. */
export const MIN_TRAINING_FRAMES = 10;

export interface FittedPatchGaussians {
  grid: PatchGrid;
  gaussians: PatchGaussians;
  /** Frames used (those with a previous frame). */
  frames: number;
  /** Mean shrinkage λ over fitted components. */
  meanShrinkage: number;
  /** Share of patch locations with a 'moving' component. */
  movingCoverage: number;
}

/** `frames`: of one size (defineMember checks them before any member's fit). */
export function fitPatchGaussians(frames: FrameInput[], params: PatchGaussianParams): FittedPatchGaussians {
  const usable = frames.filter((f) => f.prev !== undefined);
  if (usable.length < MIN_TRAINING_FRAMES) {
    throw new ModelError(`PatchGaussian needs at least ${MIN_TRAINING_FRAMES} consecutive frame pairs to fit, got ${usable.length}`);
  }
  const first = usable[0]!;
  const extractor = new FeatureExtractor(first.width, first.height, params);
  const P = extractor.patchCount;
  const D = FEATURE_COUNT,
    C = COMPONENT_COUNT;
  const N = usable.length;
  const all = new Float32Array(N * P * D);
  const moving = new Uint8Array(N * P);
  usable.forEach((frame, n) => {
    const features = all.subarray(n * P * D, (n + 1) * P * D);
    extractor.extract(frame, features);
    motionStates(features, extractor.grid, params, moving.subarray(n * P, (n + 1) * P));
  });

  const { cols, rows } = extractor.grid;
  const mean = new Float32Array(P * C * D);
  const covariance = new Float32Array(P * C * D * D);
  const present = new Float32Array(P * C);
  const maxRadius = Math.max(params.poolRadius, params.movingPoolRadius);
  const samples = new Float64Array(N * (2 * maxRadius + 1) ** 2 * D);
  const estimator = new ShrunkGaussian(D);
  let shrinkSum = 0,
    fitted = 0,
    withMoving = 0;

  const gather = (pr: number, pc: number, radius: number, wantMoving: boolean | null): number => {
    let n = 0;
    for (let y = Math.max(0, pr - radius); y <= Math.min(rows - 1, pr + radius); y++) {
      for (let x = Math.max(0, pc - radius); x <= Math.min(cols - 1, pc + radius); x++) {
        const q = y * cols + x;
        for (let s = 0; s < N; s++) {
          const o = (s * P + q) * D;
          if (wantMoving !== null && (moving[s * P + q] === 1) !== wantMoving) continue;
          for (let i = 0; i < D; i++) samples[n * D + i] = all[o + i]!;
          n++;
        }
      }
    }
    return n;
  };

  for (let pr = 0; pr < rows; pr++) {
    for (let pc = 0; pc < cols; pc++) {
      const p = pr * cols + pc;
      let n = gather(pr, pc, params.poolRadius, false);
      if (n < params.minComponentSamples) n = gather(pr, pc, params.poolRadius, null);
      shrinkSum += estimator.fit(samples, n, params, params.minStd, mean, covariance, p * C);
      present[p * C] = 1;
      fitted++;

      n = gather(pr, pc, params.movingPoolRadius, true);
      if (n >= params.minComponentSamples) {
        const floors = params.movingMinStd.map((v, i) => Math.max(v, params.minStd[i] ?? 0));
        shrinkSum += estimator.fit(samples, n, params, floors, mean, covariance, p * C + 1);
        present[p * C + 1] = 1;
        fitted++;
        withMoving++;
      }
    }
  }
  return {
    grid: extractor.grid,
    gaussians: new PatchGaussians(P, mean, covariance, present),
    frames: N,
    meanShrinkage: shrinkSum / fitted,
    movingCoverage: withMoving / P,
  };
}

/** One shrunk, floored Gaussian from `n` samples of dimension D; writes mean and Σ at slot `k`, returns λ. */
class ShrunkGaussian {
  private readonly mu: Float64Array;
  private readonly S: Float64Array;
  private readonly sd: Float64Array;
  private readonly w: Float64Array;
  private readonly w2: Float64Array;

  constructor(private readonly D: number) {
    this.mu = new Float64Array(D);
    this.S = new Float64Array(D * D);
    this.sd = new Float64Array(D);
    this.w = new Float64Array(D * D);
    this.w2 = new Float64Array(D * D);
  }

  fit(x: Float64Array, n: number, params: PatchGaussianParams, minStd: number[], mean: Float32Array, covariance: Float32Array, k: number): number {
    const { D, mu, S, sd, w, w2 } = this;
    mu.fill(0);
    for (let s = 0; s < n; s++) for (let i = 0; i < D; i++) mu[i]! += x[s * D + i]!;
    for (let i = 0; i < D; i++) mu[i]! /= n;
    S.fill(0);
    for (let s = 0; s < n; s++) {
      for (let i = 0; i < D; i++) {
        const a = x[s * D + i]! - mu[i]!;
        for (let j = 0; j <= i; j++) S[i * D + j]! += a * (x[s * D + j]! - mu[j]!);
      }
    }
    for (let i = 0; i < D; i++) for (let j = 0; j <= i; j++) S[j * D + i] = S[i * D + j]! /= n - 1;
    for (let i = 0; i < D; i++) sd[i] = Math.sqrt(Math.max(S[i * D + i]!, 1e-12));

    let lambda: number;
    if (params.shrinkage === 'auto') {
      // Schäfer–Strimmer on standardised data: λ = Σ_{i≠j} Var(r_ij) / Σ_{i≠j} r_ij².
      w.fill(0);
      w2.fill(0);
      for (let s = 0; s < n; s++) {
        for (let i = 1; i < D; i++) {
          const a = (x[s * D + i]! - mu[i]!) / sd[i]!;
          for (let j = 0; j < i; j++) {
            const v = a * ((x[s * D + j]! - mu[j]!) / sd[j]!);
            w[i * D + j]! += v;
            w2[i * D + j]! += v * v;
          }
        }
      }
      let num = 0,
        den = 0;
      for (let i = 1; i < D; i++) {
        for (let j = 0; j < i; j++) {
          const wm = w[i * D + j]! / n;
          num += (n / (n - 1) ** 3) * (w2[i * D + j]! - n * wm * wm);
          const rij = (n / (n - 1)) * wm;
          den += rij * rij;
        }
      }
      lambda = den > 0 ? Math.min(1, Math.max(params.minShrinkage, num / den)) : 1;
    } else {
      lambda = params.shrinkage;
    }

    // Σ = diag(σ̃) R* diag(σ̃): shrunk correlations R*, floored standard deviations σ̃ — stays positive definite.
    const m = k * D,
      c = k * D * D;
    for (let i = 0; i < D; i++) mean[m + i] = mu[i]!;
    for (let i = 0; i < D; i++) {
      const si = Math.max(sd[i]!, minStd[i] ?? 0);
      for (let j = 0; j < D; j++) {
        const sj = Math.max(sd[j]!, minStd[j] ?? 0);
        covariance[c + i * D + j] = i === j ? si * si : (1 - lambda) * (S[i * D + j]! / (sd[i]! * sd[j]!)) * si * sj;
      }
    }
    return lambda;
  }
}
