/**
 * The image-level density members, imageGaussian and imageKnn: model.ts (pooling, distances), fit.ts
 * (fitting), and here their Detector glue. Image level: their map is all zeros (see model.ts).
 */
import { z } from 'zod';
import { ModelError, type FrameSize, type ScoreMap } from '@vigil/core';
import type { DetectorOutput, DetectorState } from '../detector.js';
import { BACKBONE_MODEL } from '../features/backbone.js';
import { mahalanobis } from '../features/gaussian.js';
import { BackboneMember, backboneInputParams, cellExtractorFor, cellExtractorForSync, type BackboneInputParams } from '../features/memberInput.js';
import { defineMember } from '../member.js';
import type { CellFeatureExtractor } from '../features/patchFeatures.js';
import type { FrameInput } from '../frameInput.js';
import { fitImageGaussian, pooledTraining } from './fit.js';
import { knnDistance, pooledFeatures, standardise, whiten } from './model.js';

export * from './model.js';
export { fitImageGaussian, pooledTraining } from './fit.js';

interface CommonParams extends BackboneInputParams {
  batch: number;
  maxTrainFrames: number;
  ridge: number;
}

export type ImageGaussianOptions = CommonParams;
export type ImageKnnOptions = CommonParams & { k: number };

const common: CommonParams = { batch: 8, maxTrainFrames: 1000, inputWidth: 0, inputHeight: 0, ridge: 0.01 };
export const defaultImageGaussianOptions: ImageGaussianOptions = common;
export const defaultImageKnnOptions: ImageKnnOptions = { ...common, k: 5 };

const commonParams = { batch: z.number().int().positive(), maxTrainFrames: z.number().int().positive(), ridge: z.number().positive(), ...backboneInputParams };

/** The shared part: pooled, standardised frame vector; a zero map on the cell grid. */
abstract class ImageDensityMember<P extends CommonParams> extends BackboneMember<P> {
  private readonly zeros: Float32Array;

  constructor(
    params: P,
    frame: FrameSize,
    extractor: CellFeatureExtractor,
    readonly mean: Float32Array,
    readonly std: Float32Array,
    readonly centre: Float32Array,
    readonly chol: Float32Array,
  ) {
    super(params, frame, extractor);
    this.zeros = new Float32Array(extractor.cells);
  }

  protected abstract distance(x: Float32Array): number;

  protected scoreFrame(input: FrameInput): DetectorOutput {
    const [features] = this.extractor.extract([input]);
    const x = standardise(pooledFeatures(features!, this.extractor.cells, this.extractor.dims), this.mean, this.std);
    const map: ScoreMap = { cols: this.extractor.grid.cols, rows: this.extractor.grid.rows, data: new Float32Array(this.zeros) };
    return { raw: this.distance(x), map };
  }

  /** The pooled training statistics and Gaussian, by name, for exportState. */
  protected statsArrays(): Record<string, Float32Array> {
    return { mean: this.mean, std: this.std, centre: this.centre, chol: this.chol };
  }
}

export class ImageGaussian extends ImageDensityMember<ImageGaussianOptions> {
  readonly name = 'imageGaussian';
  private readonly scratch = new Float64Array(this.centre.length);

  protected distance(x: Float32Array): number {
    return mahalanobis(x, 0, this.centre, 0, this.chol, 0, this.centre.length, this.scratch);
  }

  exportState(): DetectorState {
    return { state: { backbone: BACKBONE_MODEL, dims: this.centre.length }, arrays: this.statsArrays() };
  }
}

export class ImageKnn extends ImageDensityMember<ImageKnnOptions> {
  readonly name = 'imageKnn';

  constructor(
    params: ImageKnnOptions,
    frame: FrameSize,
    extractor: CellFeatureExtractor,
    stats: { mean: Float32Array; std: Float32Array; centre: Float32Array; chol: Float32Array },
    readonly bank: Float32Array,
  ) {
    super(params, frame, extractor, stats.mean, stats.std, stats.centre, stats.chol);
    if (bank.length === 0 || bank.length % this.mean.length !== 0) throw new ModelError(`imageKnn bank of ${bank.length} values is not whole ${this.mean.length}-d frames`);
  }

  protected distance(x: Float32Array): number {
    return knnDistance(whiten(x, this.centre, this.chol), this.bank, this.mean.length, this.params.k);
  }

  exportState(): DetectorState {
    return { state: { backbone: BACKBONE_MODEL, frames: this.bank.length / this.mean.length }, arrays: { ...this.statsArrays(), bank: this.bank } };
  }
}

/** Both fit the pooled training frames' Gaussian; imageKnn also keeps every training frame, whitened. */
async function fitPooled(frames: FrameInput[], p: CommonParams, frame: FrameSize) {
  const extractor = await cellExtractorFor(p, frame);
  const { rows, mean, std } = pooledTraining(frames, extractor, p.batch, p.maxTrainFrames);
  const g = fitImageGaussian(rows, p.ridge);
  return { extractor, rows, stats: { mean, std, centre: g.mean, chol: g.chol } };
}

const STATS = ['mean', 'std', 'centre', 'chol'] as const;

/** A restored member's pooled statistics must fit the backbone's pooled features (both halves: mean and max). */
function checkStats(member: string, extractor: CellFeatureExtractor, s: Record<(typeof STATS)[number], Float32Array>): void {
  const d = 2 * extractor.dims;
  if (s.mean.length !== d || s.std.length !== d) throw new ModelError(`${member} mean/std arrays do not match the backbone's ${d} pooled features`);
  if (s.centre.length !== d || s.chol.length !== (d * (d + 1)) / 2) throw new ModelError(`${member} centre/chol arrays do not match ${d} pooled features`);
}

export const imageGaussianKind = defineMember({
  name: 'imageGaussian',
  calibration: 'hold-out',
  params: { defaults: defaultImageGaussianOptions, schema: z.object(commonParams) },
  minFrames: 2,
  arrays: STATS,
  async fit(frames, p, frame) {
    const { extractor, stats } = await fitPooled(frames, p, frame);
    return new ImageGaussian(p, frame, extractor, stats.mean, stats.std, stats.centre, stats.chol);
  },
  restore(arrays, p, frame) {
    const extractor = cellExtractorForSync(p, frame);
    checkStats('imageGaussian', extractor, arrays);
    return new ImageGaussian(p, frame, extractor, arrays.mean, arrays.std, arrays.centre, arrays.chol);
  },
});

export const imageKnnKind = defineMember({
  name: 'imageKnn',
  calibration: 'hold-out',
  params: { defaults: defaultImageKnnOptions, schema: z.object({ ...commonParams, k: z.number().int().positive() }) },
  minFrames: 2,
  arrays: [...STATS, 'bank'],
  async fit(frames, p, frame) {
    const { extractor, rows, stats } = await fitPooled(frames, p, frame);
    const d = stats.mean.length;
    const bank = new Float32Array(rows.length * d);
    rows.forEach((r, i) => bank.set(whiten(r, stats.centre, stats.chol), i * d));
    return new ImageKnn(p, frame, extractor, stats, bank);
  },
  restore(arrays, p, frame) {
    const extractor = cellExtractorForSync(p, frame);
    checkStats('imageKnn', extractor, arrays);
    return new ImageKnn(p, frame, extractor, arrays, arrays.bank);
  },
});
