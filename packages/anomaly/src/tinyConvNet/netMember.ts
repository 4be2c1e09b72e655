/**
 * What the learned members (autoencoder, deepSvdd, rotation) share: a small net trained on the camera's
 * frames, a per-cell value from it (reconstruction error, distance to the centre, rotation doubt), and
 * that value standardised per cell by what the training frames themselves scored (cellStats.ts). Each
 * member writes its net and its per-cell value; fitting the statistics, saving and restoring them live here.
 */
import { z } from 'zod';
import { ModelError, type FrameSize, type ScoreMap } from '@vigil/core';
import type { DetectorOutput } from '../detector.js';
import { mapMax } from '../features/cellMap.js';
import type { FrameInput } from '../frameInput.js';
import { expectLength, Member } from '../member.js';
import { cellStats, type CellNormalisation, type CellStats } from './cellStats.js';
import { netGrid, type NetGrid } from './frameImage.js';
import type { LayerSpec } from './layers.js';
import type { TrainParams, TrainReport } from './train.js';
import { exportWeights } from './weights.js';

export interface NetMemberParams extends TrainParams {
  smooth: boolean;
  /** Per-cell correction by the training frames' values (cellStats.ts); 'none' = the paper's plain score. */
  cellNormalisation: CellNormalisation;
  /** Floor of a cell's deviation, relative to the median cell's. */
  stdFloor: number;
  seed: number;
}

/** Defaults the learned members share (each sets its own training schedule: passes, epochs, rate, patience). */
export const defaultNetMemberParams = { smooth: true, cellNormalisation: 'mean', stdFloor: 0.5, seed: 1, maxFrames: 400, batchSize: 8 } as const satisfies Partial<NetMemberParams>;

const positiveInt = z.number().int().positive();
/** The zod checks of NetMemberParams, to spread into a member's own. */
export const netMemberParams = {
  maxFrames: positiveInt,
  samplePasses: positiveInt,
  maxEpochs: positiveInt,
  batchSize: positiveInt,
  learningRate: z.number().positive().lt(1),
  patience: positiveInt,
  smooth: z.boolean(),
  cellNormalisation: z.enum(['none', 'mean', 'meanStd']),
  stdFloor: z.number().min(0),
  seed: z.number().int(),
};

/** The fitted net and what the scores are standardised by. */
export interface NetState {
  weights: Float32Array[];
  /** Per-channel means of the training frames. */
  mean: Float32Array;
  stats: CellStats | null;
  training?: TrainReport;
}

/** A learned member's net: the multiple its input size rounds to, its layers, the saved names of its cell statistics. */
export interface NetShape {
  multiple: number;
  layers: LayerSpec[];
  statsNames: readonly [string, string];
}

/** The training schedule of a learned member's defaults. */
export function trainingSchedule(samplePasses: number, maxEpochs: number, learningRate: number, patience: number): Pick<TrainParams, 'samplePasses' | 'maxEpochs' | 'learningRate' | 'patience'> {
  return { samplePasses, maxEpochs, learningRate, patience };
}

export abstract class NetMember<P extends NetMemberParams> extends Member<P> {
  readonly covered: FrameSize;
  protected readonly grid: NetGrid;
  protected readonly layers: LayerSpec[];
  /** Scratch: the frame as the net's input. */
  protected readonly image: Float32Array;

  constructor(
    params: P,
    frame: FrameSize,
    private readonly shape: NetShape,
    readonly net: NetState,
  ) {
    super(params, frame);
    this.layers = shape.layers;
    this.grid = netGrid(frame, shape.multiple);
    this.covered = this.grid.cells.covered;
    this.image = new Float32Array(this.grid.width * this.grid.height * 3);
  }

  /** The per-cell value of a frame, before standardisation. */
  abstract cellValues(input: FrameInput): Float32Array;

  /** The anomaly map from the cell values, standardised by the training statistics. */
  protected abstract mapOf(values: Float32Array): ScoreMap;

  protected scoreFrame(input: FrameInput): DetectorOutput {
    const map = this.mapOf(this.cellValues(input));
    return { raw: mapMax(map), map };
  }

  /** The saved arrays: the channel means, the weights, and the statistics under this member's names. */
  protected netArrays(): Record<string, Float32Array> {
    const { stats, mean, weights } = this.net;
    const [meanName, stdName] = this.shape.statsNames;
    return { mean, ...exportWeights('w', weights), ...(stats ? { [meanName]: stats.mean, [stdName]: stats.std } : {}) };
  }
}

/** With the params' cell normalisation: the statistics of `plain`'s values on the training frames it was fitted on, and a member made with them. */
export function withCellStats<D extends NetMember<NetMemberParams>>(plain: D, frames: FrameInput[], fittedOn: readonly number[], make: (stats: CellStats) => D): D {
  const { cellNormalisation, stdFloor } = plain.params;
  if (cellNormalisation === 'none') return plain;
  return make(
    cellStats(
      fittedOn.map((i) => plain.cellValues(frames[i]!)),
      cellNormalisation,
      stdFloor,
    ),
  );
}

/** A restored member's channel means and statistics (absent with no cell normalisation), checked against the frame. */
export function restoreNetArrays(
  member: string,
  arrays: Record<string, Float32Array | undefined>,
  [meanName, stdName]: readonly [string, string],
  params: NetMemberParams,
  frame: FrameSize,
  multiple: number,
): { mean: Float32Array; stats: CellStats | null } {
  const { mean } = arrays;
  if (mean?.length !== 3) throw new ModelError(`${member} state lacks its 3 channel means`);
  if (params.cellNormalisation === 'none') return { mean, stats: null };
  const m = arrays[meanName],
    s = arrays[stdName];
  if (!m || !s) throw new ModelError(`${member} state lacks its ${meanName} or ${stdName} array`);
  const { cols, rows } = netGrid(frame, multiple).cells;
  expectLength(member, meanName, m, cols * rows, frame);
  expectLength(member, stdName, s, cols * rows, frame);
  return { mean, stats: { mean: m, std: s } };
}
