/** PatchCore as an ensemble member: model.ts (math), coreset.ts + fit.ts (fitting), anomalyMap.ts (post-processing). */
import { z } from 'zod';
import { ModelError, type FrameSize } from '@vigil/core';
import type { DetectorOutput, DetectorState } from '../detector.js';
import { BACKBONE_MODEL } from '../features/backbone.js';
import { BackboneMember, backboneInputParams, cellExtractorFor, cellExtractorForSync, type BackboneInputParams } from '../features/memberInput.js';
import { defineMember } from '../member.js';
import type { CellFeatureExtractor } from '../features/patchFeatures.js';
import type { FrameInput } from '../frameInput.js';
// Cell distances are on the ensemble's cell grid already: smoothed (the paper's Gaussian, σ = 4 px) into the map; raw = its max.
import { cellAnomalyMap, mapMax } from '../features/cellMap.js';
import { fitMemoryBank } from './fit.js';
import { defaultPatchCoreParams, locallyAware, MemoryBank, type PatchCoreParams } from './model.js';

export * from './model.js';
export { greedyCoreset, randomProjection } from './coreset.js';
export { fitMemoryBank } from './fit.js';

export type PatchCoreOptions = PatchCoreParams & BackboneInputParams;
export const defaultPatchCoreOptions: PatchCoreOptions = { ...defaultPatchCoreParams, inputWidth: 0, inputHeight: 0 };

const positiveInt = z.number().int().positive();
const patchCoreParams = z.object({
  coresetRatio: z.number().positive().max(1),
  minPerBlock: positiveInt,
  blockSize: positiveInt,
  radius: z.number().int().min(0),
  projectionDims: positiveInt,
  seed: z.number().int(),
  neighbourhood: positiveInt.refine((n) => n % 2 === 1, 'must be odd'),
  smooth: z.boolean(),
  batch: positiveInt,
  maxTrainFrames: positiveInt,
  ...backboneInputParams,
});

export class PatchCore extends BackboneMember<PatchCoreOptions> {
  readonly name = 'patchCore';
  private readonly patches: Float32Array;
  private readonly distances: Float32Array;

  constructor(
    params: PatchCoreOptions,
    frame: FrameSize,
    extractor: CellFeatureExtractor,
    readonly bank: MemoryBank,
    readonly mean: Float32Array,
    readonly std: Float32Array,
  ) {
    super(params, frame, extractor);
    this.patches = new Float32Array(extractor.cells * extractor.dims);
    this.distances = new Float32Array(extractor.cells);
  }

  protected scoreFrame(input: FrameInput): DetectorOutput {
    const [features] = this.extractor.extract([input]);
    const { cols, rows } = this.extractor.grid;
    locallyAware(features!, cols, rows, this.extractor.dims, this.mean, this.std, this.params.neighbourhood, this.patches);
    const map = cellAnomalyMap(this.bank.nearest(this.patches, this.distances), this.extractor.grid, this.params.smooth);
    return { raw: mapMax(map), map };
  }

  exportState(): DetectorState {
    return {
      state: { backbone: BACKBONE_MODEL, bankSize: this.bank.size, dims: this.bank.d },
      arrays: { bank: this.bank.bank, cells: Float32Array.from(this.bank.cellOf), mean: this.mean, std: this.std },
    };
  }
}

export const patchCoreKind = defineMember({
  name: 'patchCore',
  // Backbone over every training frame plus coreset searches: seconds to minutes on CPUs, so fit once.
  calibration: 'hold-out',
  params: { defaults: defaultPatchCoreOptions, schema: patchCoreParams },
  arrays: ['bank', 'cells', 'mean', 'std'],
  async fit(frames, p, frame) {
    const extractor = await cellExtractorFor(p, frame);
    const { bank, mean, std } = fitMemoryBank(frames, extractor, p);
    return new PatchCore(p, frame, extractor, bank, mean, std);
  },
  restore({ bank, cells, mean, std }, p, frame) {
    const extractor = cellExtractorForSync(p, frame);
    const d = extractor.dims;
    if (mean.length !== d || std.length !== d || bank.length % d !== 0 || bank.length === 0) {
      throw new ModelError(`patchCore arrays do not match the backbone's ${d} channels: mean ${mean.length}, std ${std.length}, bank ${bank.length}`);
    }
    const { cols, rows } = extractor.grid;
    return new PatchCore(p, frame, extractor, new MemoryBank(d, bank, Int32Array.from(cells), cols, rows, p.radius), mean, std);
  },
});
