/** Rotation prediction as an ensemble member: model.ts (classifier, rotations, score), fit.ts (training), anomalyMap.ts (post-processing). */
import { ModelError, type FrameSize } from '@vigil/core';
import type { Detector, DetectorKind, DetectorOutput, DetectorState } from '../detector.js';
import { mapMax } from '../features/cellMap.js';
import { isPositiveInt, resolveParams } from '../features/memberInput.js';
import type { FrameInput } from '../frameInput.js';
import { cellStats, isCellNormalisation, type CellNormalisation, type CellStats } from '../tinyConvNet/cellStats.js';
import { frameImage, netGrid, type NetGrid } from '../tinyConvNet/frameImage.js';
import type { LayerSpec } from '../tinyConvNet/layers.js';
import { isTrainParams, type TrainParams, type TrainReport } from '../tinyConvNet/train.js';
import { exportWeights, importWeights } from '../tinyConvNet/weights.js';
import { confidenceToCells, rotationMap } from './anomalyMap.js';
import { fitRotation } from './fit.js';
import { ROTATION_MULTIPLE, rotationLayers, trueRotationConfidence } from './model.js';

export * from './model.js';
export * from './fit.js';
export * from './anomalyMap.js';

export interface RotationOptions extends TrainParams {
  /** Channels of the first conv (the others have twice as many). */
  width: number;
  smooth: boolean;
  /** Per-cell correction by the training frames' scores (cellStats.ts); 'none' = the paper's plain score. */
  cellNormalisation: CellNormalisation;
  /** Floor of a cell's deviation, relative to the median cell's. */
  stdFloor: number;
  seed: number;
}

export const defaultRotationOptions: RotationOptions = {
  width: 8,
  smooth: true,
  cellNormalisation: 'mean',
  stdFloor: 0.5,
  seed: 1,
  maxFrames: 400,
  samplePasses: 1200,
  maxEpochs: 40,
  batchSize: 8,
  learningRate: 3e-3,
  patience: 5,
};

export class Rotation implements Detector {
  static readonly kind = 'rotation';
  readonly name = Rotation.kind;
  readonly covered: FrameSize;
  private readonly grid: NetGrid;
  private readonly layers: LayerSpec[];
  private readonly image: Float32Array;

  constructor(
    readonly params: RotationOptions,
    readonly frame: FrameSize,
    readonly weights: Float32Array[],
    readonly mean: Float32Array,
    readonly stats: CellStats | null,
    readonly training?: TrainReport,
  ) {
    this.grid = netGrid(frame, ROTATION_MULTIPLE);
    this.covered = this.grid.cells.covered;
    this.layers = rotationLayers(params.width);
    this.image = new Float32Array(this.grid.width * this.grid.height * 3);
  }

  /** 1 − mean true-rotation confidence per cell, before standardisation. */
  cellScores(input: FrameInput): Float32Array {
    if (input.width !== this.frame.width || input.height !== this.frame.height) {
      throw new ModelError(`rotation expects ${this.frame.width}x${this.frame.height} frames, got ${input.width}x${input.height}`);
    }
    frameImage(input, this.grid, this.mean, this.image);
    return confidenceToCells(trueRotationConfidence(this.layers, this.weights, this.image, this.grid), this.grid);
  }

  score(input: FrameInput): DetectorOutput {
    const map = rotationMap(this.cellScores(input), this.grid, this.stats, this.params.smooth);
    return { raw: mapMax(map), map };
  }

  exportState(): DetectorState {
    return {
      state: { training: this.training ?? null },
      arrays: {
        mean: this.mean,
        ...exportWeights('w', this.weights),
        ...(this.stats ? { scoreMean: this.stats.mean, scoreStd: this.stats.std } : {}),
      },
    };
  }
}

function resolve(given: Record<string, unknown> | undefined): RotationOptions {
  return resolveParams(
    'rotation',
    defaultRotationOptions,
    given,
    (p) =>
      isPositiveInt(p.width) &&
      typeof p.smooth === 'boolean' &&
      isCellNormalisation(p.cellNormalisation) &&
      typeof p.stdFloor === 'number' &&
      p.stdFloor >= 0 &&
      Number.isInteger(p.seed) &&
      isTrainParams(p),
  );
}

export const rotationKind: DetectorKind = {
  name: Rotation.kind,
  // Training takes a minute: fit once and calibrate on held-out blocks.
  calibration: 'hold-out',
  async fit(frames: FrameInput[], params?: Record<string, unknown>): Promise<Detector> {
    const p = resolve(params);
    const first = frames[0];
    if (!first) throw new ModelError('rotation needs training frames, got none');
    const frame = { width: first.width, height: first.height };
    const fitted = await fitRotation(frames, rotationLayers(p.width), netGrid(frame, ROTATION_MULTIPLE), p);
    const plain = new Rotation(p, frame, fitted.weights, fitted.mean, null, fitted.report);
    if (p.cellNormalisation === 'none') return plain;
    const stats = cellStats(
      fitted.frames.map((i) => plain.cellScores(frames[i]!)),
      p.cellNormalisation,
      p.stdFloor,
    );
    return new Rotation(p, frame, fitted.weights, fitted.mean, stats, fitted.report);
  },
  restore(params: Record<string, unknown>, saved: DetectorState, frame: FrameSize): Detector {
    const p = resolve(params);
    const { mean } = saved.arrays;
    if (mean?.length !== 3) throw new ModelError('rotation state lacks its 3 channel means');
    const weights = importWeights('rotation', 'w', rotationLayers(p.width), saved.arrays);
    if (p.cellNormalisation === 'none') return new Rotation(p, frame, weights, mean, null);
    const { scoreMean, scoreStd } = saved.arrays;
    const cells = netGrid(frame, ROTATION_MULTIPLE).cells;
    if (!scoreMean || !scoreStd || scoreMean.length !== cells.cols * cells.rows || scoreStd.length !== scoreMean.length) {
      throw new ModelError(`rotation score statistics do not match a ${frame.width}x${frame.height} frame (${cells.cols}x${cells.rows} cells)`);
    }
    return new Rotation(p, frame, weights, mean, { mean: scoreMean, std: scoreStd });
  },
};
