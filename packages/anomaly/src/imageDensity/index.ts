/**
 * The image-level density members, imageGaussian and imageKnn: model.ts (pooling, distances), fit.ts
 * (fitting), and here their Detector glue. Image level: their map is all zeros (see model.ts).
 */
import { ModelError, type FrameSize, type ScoreMap } from '@vigil/core';
import type { Detector, DetectorKind, DetectorOutput, DetectorState } from '../detector.js';
import { BACKBONE_MODEL, type Backbone } from '../features/backbone.js';
import { mahalanobis } from '../features/gaussian.js';
import { cellExtractorFor, cellExtractorForSync, isInputSize, isPositiveInt, resolveParams, type BackboneInputParams } from '../features/memberInput.js';
import type { CellFeatureExtractor } from '../features/patchFeatures.js';
import type { FrameInput } from '../frameInput.js';
import { fitImageGaussian, pooledTraining } from './fit.js';
import { knnDistance, pooledFeatures, standardise, whiten } from './model.js';

export * from './model.js';
export { fitImageGaussian, pooledTraining } from './fit.js';

interface CommonParams extends BackboneInputParams {
  batch: number;
  maxTrainFrames: number;
}

export type ImageGaussianOptions = CommonParams & { ridge: number };
export type ImageKnnOptions = CommonParams & { k: number; ridge: number };

const common: CommonParams = { batch: 8, maxTrainFrames: 1000, inputWidth: 0, inputHeight: 0 };
export const defaultImageGaussianOptions: ImageGaussianOptions = { ...common, ridge: 0.01 };
export const defaultImageKnnOptions: ImageKnnOptions = { ...common, k: 5, ridge: 0.01 };

function commonValid(p: CommonParams): boolean {
  return isPositiveInt(p.batch) && isPositiveInt(p.maxTrainFrames) && isInputSize(p.inputWidth) && isInputSize(p.inputHeight);
}

/** The shared part: pooled, standardised frame vector; a zero map on the cell grid. */
abstract class ImageDensityMember implements Detector {
  abstract readonly name: string;
  readonly covered: FrameSize;
  private readonly zeros: Float32Array;

  constructor(
    readonly params: CommonParams,
    readonly frame: FrameSize,
    protected readonly extractor: CellFeatureExtractor,
    readonly mean: Float32Array,
    readonly std: Float32Array,
  ) {
    this.covered = extractor.grid.covered;
    this.zeros = new Float32Array(extractor.cells);
  }

  protected abstract distance(x: Float32Array): number;
  abstract exportState(): DetectorState;

  score(input: FrameInput): DetectorOutput {
    const [features] = this.extractor.extract([input]);
    const x = standardise(pooledFeatures(features!, this.extractor.cells, this.extractor.dims), this.mean, this.std);
    const map: ScoreMap = { cols: this.extractor.grid.cols, rows: this.extractor.grid.rows, data: new Float32Array(this.zeros) };
    return { raw: this.distance(x), map };
  }
}

export class ImageGaussian extends ImageDensityMember {
  static readonly kind = 'imageGaussian';
  readonly name = ImageGaussian.kind;
  private readonly scratch: Float64Array;

  constructor(
    params: ImageGaussianOptions,
    frame: FrameSize,
    extractor: CellFeatureExtractor,
    mean: Float32Array,
    std: Float32Array,
    readonly centre: Float32Array,
    readonly chol: Float32Array,
  ) {
    super(params, frame, extractor, mean, std);
    this.scratch = new Float64Array(centre.length);
  }

  protected distance(x: Float32Array): number {
    return mahalanobis(x, 0, this.centre, 0, this.chol, 0, this.centre.length, this.scratch);
  }

  get backbone(): Backbone {
    return this.extractor.backbone;
  }

  exportState(): DetectorState {
    return {
      state: { backbone: BACKBONE_MODEL, dims: this.centre.length },
      arrays: { mean: this.mean, std: this.std, centre: this.centre, chol: this.chol },
    };
  }
}

export class ImageKnn extends ImageDensityMember {
  static readonly kind = 'imageKnn';
  readonly name = ImageKnn.kind;

  constructor(
    params: ImageKnnOptions,
    frame: FrameSize,
    extractor: CellFeatureExtractor,
    mean: Float32Array,
    std: Float32Array,
    readonly centre: Float32Array,
    readonly chol: Float32Array,
    readonly bank: Float32Array,
  ) {
    super(params, frame, extractor, mean, std);
  }

  protected distance(x: Float32Array): number {
    return knnDistance(whiten(x, this.centre, this.chol), this.bank, this.mean.length, (this.params as ImageKnnOptions).k);
  }

  exportState(): DetectorState {
    return {
      state: { backbone: BACKBONE_MODEL, frames: this.bank.length / this.mean.length },
      arrays: { mean: this.mean, std: this.std, centre: this.centre, chol: this.chol, bank: this.bank },
    };
  }
}

function gaussianOptions(given: Record<string, unknown> | undefined): ImageGaussianOptions {
  return resolveParams('imageGaussian', defaultImageGaussianOptions, given, (p) => commonValid(p) && typeof p.ridge === 'number' && p.ridge > 0);
}

function knnOptions(given: Record<string, unknown> | undefined): ImageKnnOptions {
  return resolveParams('imageKnn', defaultImageKnnOptions, given, (p) => commonValid(p) && isPositiveInt(p.k) && typeof p.ridge === 'number' && p.ridge > 0);
}

function checkStats(member: string, d: number, mean?: Float32Array, std?: Float32Array): asserts mean is Float32Array {
  if (!mean || !std || mean.length !== 2 * d || std.length !== 2 * d) {
    throw new ModelError(`${member} mean/std arrays do not match the backbone's ${2 * d} pooled features`);
  }
}

export const imageGaussianKind: DetectorKind = {
  name: ImageGaussian.kind,
  calibration: 'hold-out',
  async fit(frames: FrameInput[], params?: Record<string, unknown>): Promise<Detector> {
    const p = gaussianOptions(params);
    if (frames.length < 2) throw new ModelError(`imageGaussian needs at least 2 training frames, got ${frames.length}`);
    const frame = { width: frames[0]!.width, height: frames[0]!.height };
    const extractor = await cellExtractorFor(p, frame);
    const { rows, mean, std } = pooledTraining(frames, extractor, p.batch, p.maxTrainFrames);
    const g = fitImageGaussian(rows, p.ridge);
    return new ImageGaussian(p, frame, extractor, mean, std, g.mean, g.chol);
  },
  restore(params: Record<string, unknown>, saved: DetectorState, frame: FrameSize): Detector {
    const p = gaussianOptions(params);
    const extractor = cellExtractorForSync(p, frame);
    const { mean, std, centre, chol } = saved.arrays;
    checkStats('imageGaussian', extractor.dims, mean, std);
    const d = 2 * extractor.dims;
    if (!centre || !chol || centre.length !== d || chol.length !== (d * (d + 1)) / 2) throw new ModelError(`imageGaussian centre/chol arrays do not match ${d} pooled features`);
    return new ImageGaussian(p, frame, extractor, mean, std!, centre, chol);
  },
};

export const imageKnnKind: DetectorKind = {
  name: ImageKnn.kind,
  calibration: 'hold-out',
  async fit(frames: FrameInput[], params?: Record<string, unknown>): Promise<Detector> {
    const p = knnOptions(params);
    if (frames.length < 2) throw new ModelError(`imageKnn needs at least 2 training frames, got ${frames.length}`);
    const frame = { width: frames[0]!.width, height: frames[0]!.height };
    const extractor = await cellExtractorFor(p, frame);
    const { rows, mean, std } = pooledTraining(frames, extractor, p.batch, p.maxTrainFrames);
    const g = fitImageGaussian(rows, p.ridge);
    const bank = new Float32Array(rows.length * mean.length);
    rows.forEach((r, i) => bank.set(whiten(r, g.mean, g.chol), i * mean.length));
    return new ImageKnn(p, frame, extractor, mean, std, g.mean, g.chol, bank);
  },
  restore(params: Record<string, unknown>, saved: DetectorState, frame: FrameSize): Detector {
    const p = knnOptions(params);
    const extractor = cellExtractorForSync(p, frame);
    const { mean, std, centre, chol, bank } = saved.arrays;
    checkStats('imageKnn', extractor.dims, mean, std);
    const d = mean.length;
    if (!centre || !chol || centre.length !== d || chol.length !== (d * (d + 1)) / 2) throw new ModelError(`imageKnn centre/chol arrays do not match ${d} pooled features`);
    if (!bank || bank.length === 0 || bank.length % d !== 0) throw new ModelError(`imageKnn bank of ${bank?.length ?? 0} values is not whole ${d}-d frames`);
    return new ImageKnn(p, frame, extractor, mean, std!, centre, chol, bank);
  },
};
