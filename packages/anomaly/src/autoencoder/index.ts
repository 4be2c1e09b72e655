/** The autoencoder as an ensemble member: model.ts (net + error), fit.ts (training), anomalyMap.ts (post-processing). */
import { ModelError, type FrameSize } from '@vigil/core';
import type { Detector, DetectorKind, DetectorOutput, DetectorState } from '../detector.js';
import { isPositiveInt, resolveParams } from '../features/memberInput.js';
import { mapMax } from '../features/cellMap.js';
import type { FrameInput } from '../frameInput.js';
import { frameImage, netGrid, type NetGrid } from '../tinyConvNet/frameImage.js';
import type { LayerSpec } from '../tinyConvNet/layers.js';
import { isTrainParams, type TrainParams, type TrainReport } from '../tinyConvNet/train.js';
import { exportWeights, importWeights } from '../tinyConvNet/weights.js';
import { errorToCells, errorToMap } from './anomalyMap.js';
import { cellStats, isCellNormalisation, type CellNormalisation, type CellStats } from '../tinyConvNet/cellStats.js';
import { fitAutoencoder } from './fit.js';
import { AUTOENCODER_MULTIPLE, autoencoderLayers, reconstructionError, type ReconstructionError } from './model.js';

export * from './model.js';
export * from './fit.js';
export * from './anomalyMap.js';

export interface AutoencoderOptions extends TrainParams {
  /** Channels of the first encoder conv (the second has twice as many). */
  width: number;
  /** Channels of the bottleneck, at 1/4 of the net's resolution: small, so the net cannot copy what it never saw. */
  bottleneck: number;
  /** Stride-2 levels between input and bottleneck: 2 puts it at 1/4 of the net's resolution, 1 at 1/2. */
  levels: 1 | 2;
  error: ReconstructionError;
  smooth: boolean;
  /** Per-cell correction by the training frames' errors (cellStats.ts). */
  cellNormalisation: CellNormalisation;
  /** Floor of a cell's error deviation, relative to the median cell's ('meanStd'). */
  stdFloor: number;
  seed: number;
}

export const defaultAutoencoderOptions: AutoencoderOptions = {
  width: 12,
  bottleneck: 6,
  levels: 2,
  error: 'l2',
  smooth: true,
  cellNormalisation: 'mean',
  stdFloor: 0.5,
  seed: 1,
  maxFrames: 400,
  samplePasses: 1000,
  maxEpochs: 30,
  batchSize: 8,
  learningRate: 3e-3,
  patience: 4,
};

export class Autoencoder implements Detector {
  static readonly kind = 'autoencoder';
  readonly name = Autoencoder.kind;
  readonly covered: FrameSize;
  private readonly grid: NetGrid;
  private readonly layers: LayerSpec[];
  private readonly image: Float32Array;

  constructor(
    readonly params: AutoencoderOptions,
    readonly frame: FrameSize,
    readonly weights: Float32Array[],
    readonly mean: Float32Array,
    readonly stats: CellStats | null,
    readonly training?: TrainReport,
  ) {
    this.grid = netGrid(frame, AUTOENCODER_MULTIPLE);
    this.covered = this.grid.cells.covered;
    this.layers = autoencoderLayers(params.width, params.bottleneck, params.levels);
    this.image = new Float32Array(this.grid.width * this.grid.height * 3);
  }

  /** Per-cell reconstruction error, before standardisation. */
  cellErrors(input: FrameInput): Float32Array {
    if (input.width !== this.frame.width || input.height !== this.frame.height) {
      throw new ModelError(`autoencoder expects ${this.frame.width}x${this.frame.height} frames, got ${input.width}x${input.height}`);
    }
    frameImage(input, this.grid, this.mean, this.image);
    const error = reconstructionError(this.layers, this.weights, this.image, this.grid, this.params.error);
    return errorToCells(error, this.grid, this.params.smooth);
  }

  score(input: FrameInput): DetectorOutput {
    const map = errorToMap(this.cellErrors(input), this.grid, this.stats, this.params.smooth);
    return { raw: mapMax(map), map };
  }

  exportState(): DetectorState {
    return {
      state: { layers: this.layers.length, training: this.training ?? null },
      arrays: {
        mean: this.mean,
        ...exportWeights('w', this.weights),
        ...(this.stats ? { errorMean: this.stats.mean, errorStd: this.stats.std } : {}),
      },
    };
  }
}

function resolve(given: Record<string, unknown> | undefined): AutoencoderOptions {
  return resolveParams(
    'autoencoder',
    defaultAutoencoderOptions,
    given,
    (p) =>
      isPositiveInt(p.width) &&
      isPositiveInt(p.bottleneck) &&
      (p.levels === 1 || p.levels === 2) &&
      (p.error === 'l1' || p.error === 'l2') &&
      typeof p.smooth === 'boolean' &&
      isCellNormalisation(p.cellNormalisation) &&
      typeof p.stdFloor === 'number' &&
      p.stdFloor >= 0 &&
      Number.isInteger(p.seed) &&
      isTrainParams(p),
  );
}

export const autoencoderKind: DetectorKind = {
  name: Autoencoder.kind,
  // Training takes a minute: fit once and calibrate on held-out blocks.
  calibration: 'hold-out',
  async fit(frames: FrameInput[], params?: Record<string, unknown>): Promise<Detector> {
    const p = resolve(params);
    const first = frames[0];
    if (!first) throw new ModelError('autoencoder needs training frames, got none');
    const frame = { width: first.width, height: first.height };
    const grid = netGrid(frame, AUTOENCODER_MULTIPLE);
    const fitted = await fitAutoencoder(frames, autoencoderLayers(p.width, p.bottleneck, p.levels), grid, p);
    // The error each cell shows on the training frames, through the very scoring path, sets its scale.
    const plain = new Autoencoder(p, frame, fitted.weights, fitted.mean, null, fitted.report);
    if (p.cellNormalisation === 'none') return plain;
    const stats = cellStats(
      fitted.frames.map((i) => plain.cellErrors(frames[i]!)),
      p.cellNormalisation,
      p.stdFloor,
    );
    return new Autoencoder(p, frame, fitted.weights, fitted.mean, stats, fitted.report);
  },
  restore(params: Record<string, unknown>, saved: DetectorState, frame: FrameSize): Detector {
    const p = resolve(params);
    const mean = saved.arrays.mean;
    if (mean?.length !== 3) throw new ModelError('autoencoder state lacks its 3 channel means');
    const weights = importWeights('autoencoder', 'w', autoencoderLayers(p.width, p.bottleneck, p.levels), saved.arrays);
    if (p.cellNormalisation === 'none') return new Autoencoder(p, frame, weights, mean, null);
    const { errorMean, errorStd } = saved.arrays;
    const cells = netGrid(frame, AUTOENCODER_MULTIPLE).cells;
    if (!errorMean || !errorStd || errorMean.length !== cells.cols * cells.rows || errorStd.length !== errorMean.length) {
      throw new ModelError(`autoencoder error statistics do not match a ${frame.width}x${frame.height} frame (${cells.cols}x${cells.rows} cells)`);
    }
    return new Autoencoder(p, frame, weights, mean, { mean: errorMean, std: errorStd });
  },
};
