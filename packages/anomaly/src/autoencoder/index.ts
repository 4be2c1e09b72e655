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
import { errorToMap } from './anomalyMap.js';
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
  error: ReconstructionError;
  smooth: boolean;
  seed: number;
}

export const defaultAutoencoderOptions: AutoencoderOptions = {
  width: 12,
  bottleneck: 6,
  error: 'l2',
  smooth: true,
  seed: 1,
  maxFrames: 400,
  samplePasses: 1500,
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
    readonly training?: TrainReport,
  ) {
    this.grid = netGrid(frame, AUTOENCODER_MULTIPLE);
    this.covered = this.grid.cells.covered;
    this.layers = autoencoderLayers(params.width, params.bottleneck);
    this.image = new Float32Array(this.grid.width * this.grid.height * 3);
  }

  score(input: FrameInput): DetectorOutput {
    if (input.width !== this.frame.width || input.height !== this.frame.height) {
      throw new ModelError(`autoencoder expects ${this.frame.width}x${this.frame.height} frames, got ${input.width}x${input.height}`);
    }
    frameImage(input, this.grid, this.mean, this.image);
    const error = reconstructionError(this.layers, this.weights, this.image, this.grid, this.params.error);
    const map = errorToMap(error, this.grid, this.params.smooth);
    return { raw: mapMax(map), map };
  }

  exportState(): DetectorState {
    return {
      state: { layers: this.layers.length, training: this.training ?? null },
      arrays: { mean: this.mean, ...exportWeights('w', this.weights) },
    };
  }
}

function resolve(given: Record<string, unknown> | undefined): AutoencoderOptions {
  return resolveParams('autoencoder', defaultAutoencoderOptions, given, (p) =>
    isPositiveInt(p.width) && isPositiveInt(p.bottleneck) && (p.error === 'l1' || p.error === 'l2') && typeof p.smooth === 'boolean' &&
    Number.isInteger(p.seed) && isTrainParams(p));
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
    const fitted = await fitAutoencoder(frames, autoencoderLayers(p.width, p.bottleneck), grid, p);
    return new Autoencoder(p, frame, fitted.weights, fitted.mean, fitted.report);
  },
  restore(params: Record<string, unknown>, saved: DetectorState, frame: FrameSize): Detector {
    const p = resolve(params);
    const mean = saved.arrays.mean;
    if (!mean || mean.length !== 3) throw new ModelError('autoencoder state lacks its 3 channel means');
    const weights = importWeights('autoencoder', 'w', autoencoderLayers(p.width, p.bottleneck), saved.arrays);
    return new Autoencoder(p, frame, weights, mean);
  },
};
