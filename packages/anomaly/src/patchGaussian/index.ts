/** PatchGaussian as an ensemble member: model.ts (math), fit.ts (fitting), anomalyMap.ts (post-processing). */
import { ModelError, type FrameSize } from '@vigil/core';
import type { Detector, DetectorKind, DetectorOutput, DetectorState } from '../detector.js';
import type { FrameInput } from '../frameInput.js';
import { anomalyMap, mapMax } from './anomalyMap.js';
import { fitPatchGaussians } from './fit.js';
import { COMPONENTS, COMPONENT_COUNT, FEATURES, FEATURE_COUNT, FeatureExtractor, motionStates, PatchGaussians, defaultPatchGaussianParams, type PatchGaussianParams } from './model.js';

export * from './model.js';
export * from './fit.js';
export * from './anomalyMap.js';

export class PatchGaussian implements Detector {
  static readonly kind = 'patchGaussian';
  readonly name = PatchGaussian.kind;
  readonly covered: FrameSize;
  private readonly extractor: FeatureExtractor;
  private readonly features: Float32Array;
  private readonly distances: Float32Array;
  private readonly moving: Uint8Array;

  constructor(
    readonly params: PatchGaussianParams & { smooth: boolean },
    readonly frame: FrameSize,
    readonly gaussians: PatchGaussians,
  ) {
    this.extractor = new FeatureExtractor(frame.width, frame.height, params);
    const { grid } = this.extractor;
    this.covered = { width: grid.coveredWidth, height: grid.coveredHeight };
    this.features = new Float32Array(this.extractor.patchCount * FEATURE_COUNT);
    this.distances = new Float32Array(this.extractor.patchCount);
    this.moving = new Uint8Array(this.extractor.patchCount);
  }

  score(input: FrameInput): DetectorOutput {
    const hasMotion = this.extractor.extract(input, this.features);
    const moving = hasMotion ? motionStates(this.features, this.extractor.grid, this.params, this.moving) : null;
    this.gaussians.distances(this.features, moving, this.distances);
    const map = anomalyMap(this.distances, this.extractor.grid, this.params.smooth);
    return { raw: mapMax(map), map };
  }

  exportState(): DetectorState {
    return {
      state: { patches: this.gaussians.patchCount, features: [...FEATURES], components: [...COMPONENTS] },
      arrays: { mean: this.gaussians.mean, covariance: this.gaussians.covariance, present: this.gaussians.present },
    };
  }
}

export type PatchGaussianOptions = PatchGaussianParams & { smooth: boolean };
export const defaultPatchGaussianOptions: PatchGaussianOptions = { ...defaultPatchGaussianParams, smooth: true };

function resolveParams(given: Record<string, unknown> | undefined): PatchGaussianOptions {
  const p = { ...defaultPatchGaussianOptions, ...(given ?? {}) } as PatchGaussianOptions;
  const ok =
    Number.isInteger(p.patchSize) &&
    p.patchSize > 0 &&
    Number.isInteger(p.stride) &&
    p.stride > 0 &&
    p.patchSize % p.stride === 0 &&
    (p.shrinkage === 'auto' || (typeof p.shrinkage === 'number' && p.shrinkage >= 0 && p.shrinkage <= 1)) &&
    typeof p.minShrinkage === 'number' &&
    isStdFloors(p.minStd) &&
    isStdFloors(p.movingMinStd) &&
    Number.isInteger(p.poolRadius) &&
    p.poolRadius >= 0 &&
    Number.isInteger(p.movingPoolRadius) &&
    p.movingPoolRadius >= 0 &&
    typeof p.motionThreshold === 'number' &&
    Number.isFinite(p.motionThreshold) &&
    Number.isInteger(p.motionStateRadius) &&
    p.motionStateRadius >= 0 &&
    typeof p.motionStateFloor === 'number' &&
    Number.isFinite(p.motionStateFloor) &&
    Number.isInteger(p.minComponentSamples) &&
    p.minComponentSamples >= 2 &&
    typeof p.smooth === 'boolean';
  if (!ok) throw new ModelError(`invalid patchGaussian params: ${JSON.stringify(given)}`);
  return p;
}

function isStdFloors(v: unknown): v is number[] {
  return Array.isArray(v) && v.length === FEATURE_COUNT && v.every((x) => typeof x === 'number' && x > 0);
}

export const patchGaussianKind: DetectorKind = {
  name: PatchGaussian.kind,
  tier: 'cheap',
  fit(frames: FrameInput[], params?: Record<string, unknown>): Detector {
    const p = resolveParams(params);
    const fitted = fitPatchGaussians(frames, p);
    const first = frames[0]!;
    return new PatchGaussian(p, { width: first.width, height: first.height }, fitted.gaussians);
  },
  restore(params: Record<string, unknown>, saved: DetectorState, frame: FrameSize): Detector {
    const p = resolveParams(params);
    const { mean, covariance, present } = saved.arrays;
    if (!mean || !covariance || !present) throw new ModelError('patchGaussian state lacks its mean, covariance or present array');
    let patches: number;
    try {
      patches = new FeatureExtractor(frame.width, frame.height, p).patchCount;
    } catch (err) {
      throw new ModelError(`patchGaussian params do not fit a ${frame.width}x${frame.height} frame: ${(err as Error).message}`);
    }
    const slots = patches * COMPONENT_COUNT;
    if (mean.length !== slots * FEATURE_COUNT || covariance.length !== slots * FEATURE_COUNT ** 2 || present.length !== slots) {
      throw new ModelError(
        `patchGaussian arrays do not match a ${frame.width}x${frame.height} frame: expected ${slots * FEATURE_COUNT} means, ` +
          `${slots * FEATURE_COUNT ** 2} covariance entries and ${slots} flags, found ${mean.length}, ${covariance.length} and ${present.length}`,
      );
    }
    try {
      return new PatchGaussian(p, frame, new PatchGaussians(patches, mean, covariance, present));
    } catch (err) {
      throw new ModelError(`patchGaussian covariance is corrupt: ${(err as Error).message}`);
    }
  },
};
