/** PaDiM as an ensemble member: model.ts (math), fit.ts (fitting), anomalyMap.ts (post-processing). */
import { z } from 'zod';
import { ModelError, type FrameSize } from '@vigil/core';
import type { DetectorOutput, DetectorState } from '../detector.js';
import { BACKBONE_MODEL } from '../features/backbone.js';
import { randomSubset } from '../features/gaussian.js';
import { BackboneMember, backboneInputParams, cellExtractorFor, cellExtractorForSync, type BackboneInputParams } from '../features/memberInput.js';
import { defineMember, expectLength } from '../member.js';
import type { CellFeatureExtractor } from '../features/patchFeatures.js';
import type { FrameInput } from '../frameInput.js';
// Cell distances are on the ensemble's cell grid already: smoothed (the paper's Gaussian, σ = 4 px) into the map; raw = its max.
import { cellAnomalyMap, mapMax } from '../features/cellMap.js';
import { fitCellGaussians } from './fit.js';
import { CellGaussians, defaultPadimParams, selectChannels, type PadimParams } from './model.js';

export * from './model.js';
export { fitCellGaussians } from './fit.js';

export type PadimOptions = PadimParams & BackboneInputParams;
export const defaultPadimOptions: PadimOptions = { ...defaultPadimParams, inputWidth: 0, inputHeight: 0 };

const padimParams = z.object({
  channels: z.number().int().positive(),
  seed: z.number().int(),
  poolRadius: z.number().int().min(0),
  ridge: z.number().positive(),
  smooth: z.boolean(),
  batch: z.number().int().positive(),
  maxTrainFrames: z.number().int().min(2),
  ...backboneInputParams,
});

export class Padim extends BackboneMember<PadimOptions> {
  readonly name = 'padim';
  private readonly selected: Float32Array;
  private readonly distances: Float32Array;

  constructor(
    params: PadimOptions,
    frame: FrameSize,
    extractor: CellFeatureExtractor,
    readonly channels: readonly number[],
    readonly gaussians: CellGaussians,
    readonly baseline: Float32Array,
  ) {
    super(params, frame, extractor);
    expectLength('padim', 'baseline', baseline, extractor.cells, frame);
    this.selected = new Float32Array(extractor.cells * channels.length);
    this.distances = new Float32Array(extractor.cells);
  }

  protected scoreFrame(input: FrameInput): DetectorOutput {
    const [features] = this.extractor.extract([input]);
    selectChannels(features!, this.extractor.dims, this.channels, this.selected);
    this.gaussians.excess(this.selected, this.baseline, this.distances);
    const map = cellAnomalyMap(this.distances, this.extractor.grid, this.params.smooth);
    return { raw: mapMax(map), map };
  }

  exportState(): DetectorState {
    return {
      state: { backbone: BACKBONE_MODEL, cells: this.gaussians.cells, dims: this.gaussians.d },
      arrays: { mean: this.gaussians.mean, chol: this.gaussians.chol, baseline: this.baseline, channels: Float32Array.from(this.channels) },
    };
  }
}

export const padimKind = defineMember({
  name: 'padim',
  // One fit runs the backbone over every training frame: seconds to minutes on CPUs, so fit once.
  calibration: 'hold-out',
  params: { defaults: defaultPadimOptions, schema: padimParams },
  minFrames: 2,
  arrays: ['mean', 'chol', 'baseline', 'channels'],
  async fit(frames, p, frame) {
    const extractor = await cellExtractorFor(p, frame);
    const channels = randomSubset(extractor.dims, p.channels, p.seed);
    const { gaussians, baseline } = fitCellGaussians(frames, extractor, channels, p);
    return new Padim(p, frame, extractor, channels, gaussians, baseline);
  },
  restore({ mean, chol, baseline, channels }, p, frame) {
    const extractor = cellExtractorForSync(p, frame);
    const chosen = Array.from(channels, (c) => Math.round(c));
    if (chosen.some((c) => c < 0 || c >= extractor.dims)) throw new ModelError(`padim channels do not fit the backbone's ${extractor.dims} channels`);
    return new Padim(p, frame, extractor, chosen, new CellGaussians(extractor.cells, chosen.length, mean, chol), baseline);
  },
});
