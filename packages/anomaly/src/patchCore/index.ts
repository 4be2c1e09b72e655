/** PatchCore as an ensemble member: model.ts (math), coreset.ts + fit.ts (fitting), anomalyMap.ts (post-processing). */
import { ModelError, type FrameSize } from '@vigil/core';
import type { Detector, DetectorKind, DetectorOutput, DetectorState } from '../detector.js';
import { BACKBONE_MODEL, type Backbone } from '../features/backbone.js';
import { cellExtractorFor, cellExtractorForSync, isInputSize, isPositiveInt, resolveParams, type BackboneInputParams } from '../features/memberInput.js';
import type { CellFeatureExtractor } from '../features/patchFeatures.js';
import type { FrameInput } from '../frameInput.js';
import { cellAnomalyMap, mapMax } from './anomalyMap.js';
import { fitMemoryBank } from './fit.js';
import { defaultPatchCoreParams, locallyAware, MemoryBank, type PatchCoreParams } from './model.js';

export * from './model.js';
export { greedyCoreset, randomProjection } from './coreset.js';
export { fitMemoryBank } from './fit.js';

export type PatchCoreOptions = PatchCoreParams & BackboneInputParams;
export const defaultPatchCoreOptions: PatchCoreOptions = { ...defaultPatchCoreParams, inputWidth: 0, inputHeight: 0 };

export class PatchCore implements Detector {
  static readonly kind = 'patchCore';
  readonly name = PatchCore.kind;
  readonly covered: FrameSize;
  private readonly patches: Float32Array;
  private readonly distances: Float32Array;

  constructor(
    readonly params: PatchCoreOptions,
    readonly frame: FrameSize,
    private readonly extractor: CellFeatureExtractor,
    readonly bank: MemoryBank,
    readonly mean: Float32Array,
    readonly std: Float32Array,
  ) {
    this.covered = extractor.grid.covered;
    this.patches = new Float32Array(extractor.cells * extractor.dims);
    this.distances = new Float32Array(extractor.cells);
  }

  score(input: FrameInput): DetectorOutput {
    const [features] = this.extractor.extract([input]);
    const { cols, rows } = this.extractor.grid;
    locallyAware(features!, cols, rows, this.extractor.dims, this.mean, this.std, this.params.neighbourhood, this.patches);
    const map = cellAnomalyMap(this.bank.nearest(this.patches, this.distances), this.extractor.grid, this.params.smooth);
    return { raw: mapMax(map), map };
  }

  get backbone(): Backbone {
    return this.extractor.backbone;
  }

  exportState(): DetectorState {
    return {
      state: { backbone: BACKBONE_MODEL, bankSize: this.bank.size, dims: this.bank.d },
      arrays: { bank: this.bank.bank, cells: Float32Array.from(this.bank.cellOf), mean: this.mean, std: this.std },
    };
  }
}

function options(given: Record<string, unknown> | undefined): PatchCoreOptions {
  return resolveParams(
    'patchCore',
    defaultPatchCoreOptions,
    given,
    (p) =>
      typeof p.coresetRatio === 'number' &&
      p.coresetRatio > 0 &&
      p.coresetRatio <= 1 &&
      isPositiveInt(p.minPerBlock) &&
      isPositiveInt(p.blockSize) &&
      Number.isInteger(p.radius) &&
      p.radius >= 0 &&
      isPositiveInt(p.projectionDims) &&
      Number.isInteger(p.seed) &&
      isPositiveInt(p.neighbourhood) &&
      p.neighbourhood % 2 === 1 &&
      typeof p.smooth === 'boolean' &&
      isPositiveInt(p.batch) &&
      isPositiveInt(p.maxTrainFrames) &&
      isInputSize(p.inputWidth) &&
      isInputSize(p.inputHeight),
  );
}

export const patchCoreKind: DetectorKind = {
  name: PatchCore.kind,
  // Backbone over every training frame plus coreset searches: seconds to minutes on CPUs, so fit once.
  calibration: 'hold-out',
  async fit(frames: FrameInput[], params?: Record<string, unknown>): Promise<Detector> {
    const p = options(params);
    if (frames.length === 0) throw new ModelError('patchCore needs at least 1 training frame');
    const frame = { width: frames[0]!.width, height: frames[0]!.height };
    const extractor = await cellExtractorFor(p, frame);
    const { bank, mean, std } = fitMemoryBank(frames, extractor, p);
    return new PatchCore(p, frame, extractor, bank, mean, std);
  },
  restore(params: Record<string, unknown>, saved: DetectorState, frame: FrameSize): Detector {
    const p = options(params);
    const { bank, cells, mean, std } = saved.arrays;
    if (!bank || !cells || !mean || !std) throw new ModelError('patchCore state lacks its bank, cells, mean or std array');
    const extractor = cellExtractorForSync(p, frame);
    const d = extractor.dims;
    if (mean.length !== d || std.length !== d || bank.length % d !== 0 || bank.length === 0) {
      throw new ModelError(`patchCore arrays do not match the backbone's ${d} channels: mean ${mean.length}, std ${std.length}, bank ${bank.length}`);
    }
    const { cols, rows } = extractor.grid;
    try {
      return new PatchCore(p, frame, extractor, new MemoryBank(d, bank, Int32Array.from(cells), cols, rows, p.radius), mean, std);
    } catch (err) {
      throw new ModelError(`patchCore bank does not match a ${frame.width}x${frame.height} frame: ${(err as Error).message}`);
    }
  },
};
