/** PatchGaussian as an ensemble member: model.ts (math), fit.ts (fitting), anomalyMap.ts (post-processing). */
import { z } from 'zod';
import type { FrameSize } from '@vigil/core';
import type { DetectorOutput, DetectorState } from '../detector.js';
import type { FrameInput } from '../frameInput.js';
import { defineMember, expectLength, Member } from '../member.js';
import { anomalyMap, mapMax } from './anomalyMap.js';
import { fitPatchGaussians } from './fit.js';
import { COMPONENTS, COMPONENT_COUNT, FEATURES, FEATURE_COUNT, FeatureExtractor, motionStates, PatchGaussians, defaultPatchGaussianParams, type PatchGaussianParams } from './model.js';

export * from './model.js';
export * from './fit.js';
export * from './anomalyMap.js';

export type PatchGaussianOptions = PatchGaussianParams & { smooth: boolean };
export const defaultPatchGaussianOptions: PatchGaussianOptions = { ...defaultPatchGaussianParams, smooth: true };

const stdFloors = z.array(z.number().positive()).length(FEATURE_COUNT);
const patchGaussianParams = z
  .object({
    patchSize: z.number().int().positive(),
    stride: z.number().int().positive(),
    shrinkage: z.union([z.literal('auto'), z.number().min(0).max(1)]),
    minShrinkage: z.number(),
    minStd: stdFloors,
    movingMinStd: stdFloors,
    poolRadius: z.number().int().min(0),
    movingPoolRadius: z.number().int().min(0),
    motionThreshold: z.number(),
    motionStateRadius: z.number().int().min(0),
    motionStateFloor: z.number(),
    minComponentSamples: z.number().int().min(2),
    smooth: z.boolean(),
  })
  .refine((p) => p.patchSize % p.stride === 0, { message: 'patchSize must be a multiple of stride', path: ['patchSize'] });

export class PatchGaussian extends Member<PatchGaussianOptions> {
  readonly name = 'patchGaussian';
  readonly covered: FrameSize;
  private readonly extractor: FeatureExtractor;
  private readonly features: Float32Array;
  private readonly distances: Float32Array;
  private readonly moving: Uint8Array;

  constructor(
    params: PatchGaussianOptions,
    frame: FrameSize,
    readonly gaussians: PatchGaussians,
  ) {
    super(params, frame);
    this.extractor = new FeatureExtractor(frame.width, frame.height, params);
    const { grid } = this.extractor;
    this.covered = { width: grid.coveredWidth, height: grid.coveredHeight };
    this.features = new Float32Array(this.extractor.patchCount * FEATURE_COUNT);
    this.distances = new Float32Array(this.extractor.patchCount);
    this.moving = new Uint8Array(this.extractor.patchCount);
  }

  protected scoreFrame(input: FrameInput): DetectorOutput {
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

export const patchGaussianKind = defineMember({
  name: 'patchGaussian',
  tier: 'cheap',
  params: { defaults: defaultPatchGaussianOptions, schema: patchGaussianParams },
  arrays: ['mean', 'covariance', 'present'],
  fit: (frames, p, frame) => new PatchGaussian(p, frame, fitPatchGaussians(frames, p).gaussians),
  restore({ mean, covariance, present }, p, frame) {
    const slots = new FeatureExtractor(frame.width, frame.height, p).patchCount * COMPONENT_COUNT;
    expectLength('patchGaussian', 'mean', mean, slots * FEATURE_COUNT, frame);
    expectLength('patchGaussian', 'covariance', covariance, slots * FEATURE_COUNT ** 2, frame);
    expectLength('patchGaussian', 'present', present, slots, frame);
    return new PatchGaussian(p, frame, new PatchGaussians(slots / COMPONENT_COUNT, mean, covariance, present));
  },
});
