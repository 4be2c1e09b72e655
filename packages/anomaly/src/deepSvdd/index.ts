/** Deep SVDD as an ensemble member: model.ts (net, centre, distance), fit.ts (training), anomalyMap.ts (post-processing). */
import { ModelError, type FrameSize } from '@vigil/core';
import type { Detector, DetectorKind, DetectorOutput, DetectorState } from '../detector.js';
import { mapMax } from '../features/cellMap.js';
import { isPositiveInt, resolveParams } from '../features/memberInput.js';
import type { FrameInput } from '../frameInput.js';
import { frameImage, netGrid, type NetGrid } from '../tinyConvNet/frameImage.js';
import type { LayerSpec } from '../tinyConvNet/layers.js';
import { isTrainParams, type TrainReport } from '../tinyConvNet/train.js';
import { exportWeights, importWeights } from '../tinyConvNet/weights.js';
import { distancesToCells, distancesToMap } from './anomalyMap.js';
import { cellStats, isCellNormalisation, type CellNormalisation, type CellStats } from '../tinyConvNet/cellStats.js';
import { fitDeepSvdd, type DeepSvddFitParams } from './fit.js';
import { centreDistances, DEEP_SVDD_MULTIPLE, deepSvddLayers } from './model.js';

export * from './model.js';
export * from './fit.js';
export * from './anomalyMap.js';

export interface DeepSvddOptions extends DeepSvddFitParams {
  /** Channels of the hidden convs. */
  width: number;
  smooth: boolean;
  /** Per-cell correction by the training frames' scores (cellStats.ts); 'none' = the paper's plain score. */
  cellNormalisation: CellNormalisation;
  /** Floor of a cell's deviation, relative to the median cell's. */
  stdFloor: number;
}

export const defaultDeepSvddOptions: DeepSvddOptions = {
  width: 12,
  dims: 8,
  weightDecay: 1e-3,
  centreEps: 0.1,
  smooth: true,
  cellNormalisation: 'mean',
  stdFloor: 0.5,
  seed: 1,
  maxFrames: 400,
  samplePasses: 1000,
  maxEpochs: 30,
  batchSize: 8,
  learningRate: 1e-3,
  patience: 4,
};

export class DeepSvdd implements Detector {
  static readonly kind = 'deepSvdd';
  readonly name = DeepSvdd.kind;
  readonly covered: FrameSize;
  private readonly grid: NetGrid;
  private readonly layers: LayerSpec[];
  private readonly image: Float32Array;

  constructor(
    readonly params: DeepSvddOptions,
    readonly frame: FrameSize,
    readonly weights: Float32Array[],
    readonly centre: Float32Array,
    readonly mean: Float32Array,
    readonly stats: CellStats | null,
    readonly training?: TrainReport,
  ) {
    this.grid = netGrid(frame, DEEP_SVDD_MULTIPLE);
    this.covered = this.grid.cells.covered;
    this.layers = deepSvddLayers(params.width, params.dims);
    this.image = new Float32Array(this.grid.width * this.grid.height * 3);
  }

  /** ‖φ − c‖² per cell, before standardisation. */
  cellDistances(input: FrameInput): Float32Array {
    if (input.width !== this.frame.width || input.height !== this.frame.height) {
      throw new ModelError(`deepSvdd expects ${this.frame.width}x${this.frame.height} frames, got ${input.width}x${input.height}`);
    }
    frameImage(input, this.grid, this.mean, this.image);
    return distancesToCells(centreDistances(this.layers, this.weights, this.centre, this.image, this.grid), this.grid);
  }

  score(input: FrameInput): DetectorOutput {
    const map = distancesToMap(this.cellDistances(input), this.grid, this.stats, this.params.smooth);
    return { raw: mapMax(map), map };
  }

  exportState(): DetectorState {
    return {
      state: { training: this.training ?? null },
      arrays: {
        centre: this.centre,
        mean: this.mean,
        ...exportWeights('w', this.weights),
        ...(this.stats ? { distanceMean: this.stats.mean, distanceStd: this.stats.std } : {}),
      },
    };
  }
}

function resolve(given: Record<string, unknown> | undefined): DeepSvddOptions {
  return resolveParams(
    'deepSvdd',
    defaultDeepSvddOptions,
    given,
    (p) =>
      isPositiveInt(p.width) &&
      isPositiveInt(p.dims) &&
      typeof p.weightDecay === 'number' &&
      p.weightDecay >= 0 &&
      typeof p.centreEps === 'number' &&
      p.centreEps >= 0 &&
      typeof p.smooth === 'boolean' &&
      isCellNormalisation(p.cellNormalisation) &&
      typeof p.stdFloor === 'number' &&
      p.stdFloor >= 0 &&
      Number.isInteger(p.seed) &&
      isTrainParams(p),
  );
}

export const deepSvddKind: DetectorKind = {
  name: DeepSvdd.kind,
  // Training takes a minute: fit once and calibrate on held-out blocks.
  calibration: 'hold-out',
  async fit(frames: FrameInput[], params?: Record<string, unknown>): Promise<Detector> {
    const p = resolve(params);
    const first = frames[0];
    if (!first) throw new ModelError('deepSvdd needs training frames, got none');
    const frame = { width: first.width, height: first.height };
    const fitted = await fitDeepSvdd(frames, deepSvddLayers(p.width, p.dims), netGrid(frame, DEEP_SVDD_MULTIPLE), p);
    const plain = new DeepSvdd(p, frame, fitted.weights, fitted.centre, fitted.mean, null, fitted.report);
    if (p.cellNormalisation === 'none') return plain;
    const stats = cellStats(
      fitted.frames.map((i) => plain.cellDistances(frames[i]!)),
      p.cellNormalisation,
      p.stdFloor,
    );
    return new DeepSvdd(p, frame, fitted.weights, fitted.centre, fitted.mean, stats, fitted.report);
  },
  restore(params: Record<string, unknown>, saved: DetectorState, frame: FrameSize): Detector {
    const p = resolve(params);
    const { centre, mean } = saved.arrays;
    if (!centre || centre.length !== p.dims) throw new ModelError(`deepSvdd state lacks its ${p.dims}-dimensional centre`);
    if (mean?.length !== 3) throw new ModelError('deepSvdd state lacks its 3 channel means');
    const weights = importWeights('deepSvdd', 'w', deepSvddLayers(p.width, p.dims), saved.arrays);
    if (p.cellNormalisation === 'none') return new DeepSvdd(p, frame, weights, centre, mean, null);
    const { distanceMean, distanceStd } = saved.arrays;
    const cells = netGrid(frame, DEEP_SVDD_MULTIPLE).cells;
    if (!distanceMean || !distanceStd || distanceMean.length !== cells.cols * cells.rows || distanceStd.length !== distanceMean.length) {
      throw new ModelError(`deepSvdd distance statistics do not match a ${frame.width}x${frame.height} frame (${cells.cols}x${cells.rows} cells)`);
    }
    return new DeepSvdd(p, frame, weights, centre, mean, { mean: distanceMean, std: distanceStd });
  },
};
