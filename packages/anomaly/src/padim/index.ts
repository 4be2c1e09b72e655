/** PaDiM as an ensemble member: model.ts (math), fit.ts (fitting), anomalyMap.ts (post-processing). */
import { ModelError, type FrameSize } from '@vigil/core';
import type { Detector, DetectorKind, DetectorOutput, DetectorState } from '../detector.js';
import { BACKBONE_MODEL, type Backbone } from '../features/backbone.js';
import { randomSubset } from '../features/gaussian.js';
import { cellExtractorFor, cellExtractorForSync, isInputSize, isPositiveInt, resolveParams, type BackboneInputParams } from '../features/memberInput.js';
import type { CellFeatureExtractor } from '../features/patchFeatures.js';
import type { FrameInput } from '../frameInput.js';
import { cellAnomalyMap, mapMax } from './anomalyMap.js';
import { fitCellGaussians } from './fit.js';
import { CellGaussians, defaultPadimParams, selectChannels, type PadimParams } from './model.js';

export * from './model.js';
export { fitCellGaussians } from './fit.js';

export type PadimOptions = PadimParams & BackboneInputParams;
export const defaultPadimOptions: PadimOptions = { ...defaultPadimParams, inputWidth: 0, inputHeight: 0 };

export class Padim implements Detector {
  static readonly kind = 'padim';
  readonly name = Padim.kind;
  readonly covered: FrameSize;
  private readonly selected: Float32Array;
  private readonly distances: Float32Array;

  constructor(
    readonly params: PadimOptions,
    readonly frame: FrameSize,
    private readonly extractor: CellFeatureExtractor,
    readonly channels: readonly number[],
    readonly gaussians: CellGaussians,
    readonly baseline: Float32Array,
  ) {
    this.covered = extractor.grid.covered;
    this.selected = new Float32Array(extractor.cells * channels.length);
    this.distances = new Float32Array(extractor.cells);
  }

  score(input: FrameInput): DetectorOutput {
    const [features] = this.extractor.extract([input]);
    selectChannels(features!, this.extractor.dims, this.channels, this.selected);
    this.gaussians.excess(this.selected, this.baseline, this.distances);
    const map = cellAnomalyMap(this.distances, this.extractor.grid, this.params.smooth);
    return { raw: mapMax(map), map };
  }

  get backbone(): Backbone {
    return this.extractor.backbone;
  }

  exportState(): DetectorState {
    return {
      state: { backbone: BACKBONE_MODEL, cells: this.gaussians.cells, dims: this.gaussians.d },
      arrays: { mean: this.gaussians.mean, chol: this.gaussians.chol, baseline: this.baseline, channels: Float32Array.from(this.channels) },
    };
  }
}

function options(given: Record<string, unknown> | undefined): PadimOptions {
  return resolveParams(
    'padim',
    defaultPadimOptions,
    given,
    (p) =>
      isPositiveInt(p.channels) &&
      Number.isInteger(p.seed) &&
      Number.isInteger(p.poolRadius) &&
      p.poolRadius >= 0 &&
      typeof p.ridge === 'number' &&
      p.ridge > 0 &&
      typeof p.smooth === 'boolean' &&
      isPositiveInt(p.batch) &&
      p.maxTrainFrames >= 2 &&
      isPositiveInt(p.maxTrainFrames) &&
      isInputSize(p.inputWidth) &&
      isInputSize(p.inputHeight),
  );
}

export const padimKind: DetectorKind = {
  name: Padim.kind,
  // One fit runs the backbone over every training frame: seconds to minutes on CPUs, so fit once.
  calibration: 'hold-out',
  async fit(frames: FrameInput[], params?: Record<string, unknown>): Promise<Detector> {
    const p = options(params);
    if (frames.length < 2) throw new ModelError(`padim needs at least 2 training frames, got ${frames.length}`);
    const frame = { width: frames[0]!.width, height: frames[0]!.height };
    const extractor = await cellExtractorFor(p, frame);
    const channels = randomSubset(extractor.dims, p.channels, p.seed);
    const { gaussians, baseline } = fitCellGaussians(frames, extractor, channels, p);
    return new Padim(p, frame, extractor, channels, gaussians, baseline);
  },
  restore(params: Record<string, unknown>, saved: DetectorState, frame: FrameSize): Detector {
    const p = options(params);
    const { mean, chol, baseline, channels } = saved.arrays;
    if (!mean || !chol || !baseline || !channels) throw new ModelError('padim state lacks its mean, chol, baseline or channels array');
    const extractor = cellExtractorForSync(p, frame);
    const chosen = Array.from(channels, (c) => Math.round(c));
    if (chosen.some((c) => c < 0 || c >= extractor.dims)) throw new ModelError(`padim channels do not fit the backbone's ${extractor.dims} channels`);
    try {
      if (baseline.length !== extractor.cells) throw new RangeError(`expected ${extractor.cells} baselines, got ${baseline.length}`);
      return new Padim(p, frame, extractor, chosen, new CellGaussians(extractor.cells, chosen.length, mean, chol), baseline);
    } catch (err) {
      throw new ModelError(`padim arrays do not match a ${frame.width}x${frame.height} frame: ${(err as Error).message}`);
    }
  },
};
