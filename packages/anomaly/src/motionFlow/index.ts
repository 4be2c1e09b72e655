/** MotionFlow as an ensemble member: flow.ts (block matching), model.ts (direction/speed density), fit.ts (fitting). */
import { z } from 'zod';
import { ModelError, type FrameSize, type ScoreMap } from '@vigil/core';
import type { DetectorOutput, DetectorState } from '../detector.js';
import type { FrameInput } from '../frameInput.js';
import { defineMember, expectLength, expectPositive, Member } from '../member.js';
import { mapMax, smoothMap } from '../patchGaussian/anomalyMap.js';
import { fitFlowDensity, peekFlow } from './fit.js';
import { BlockFlow, type FlowField } from './flow.js';
import { defaultMotionFlowParams, flowSurprise, type FlowDensity, type MotionFlowParams } from './model.js';

export * from './flow.js';
export * from './model.js';
export * from './fit.js';

const pos = z.number().positive();
const motionFlowParams = z.object({
  cell: z
    .number()
    .int()
    .positive()
    .refine((c) => c % 4 === 0, 'must be a multiple of 4'),
  changeThreshold: pos,
  searchRadius: z.number().int().positive(),
  maxMatchRatio: pos.max(1),
  minAgreeing: z.number().int().min(0).max(8),
  bins: z.number().int().min(4),
  minSamples: pos,
  maxPoolRadius: z.number().int().positive(),
  prior: pos,
  minSpeedStd: pos,
  speedFreeZ: z.number().min(0),
  directionSpeedHalf: pos,
  smooth: z.boolean(),
  minRaw: z.number().min(0),
});

export class MotionFlow extends Member<MotionFlowParams> {
  readonly name = 'motionFlow';
  readonly covered: FrameSize;
  private readonly flow: BlockFlow;
  private readonly field: FlowField;
  private readonly cells: Float32Array;

  constructor(
    params: MotionFlowParams,
    frame: FrameSize,
    readonly density: FlowDensity,
  ) {
    super(params, frame);
    this.flow = new BlockFlow(frame.width, frame.height, params);
    if (density.cols !== this.flow.cols || density.rows !== this.flow.rows) {
      throw new ModelError(`motionFlow density is ${density.cols}x${density.rows} cells, a ${frame.width}x${frame.height} frame has ${this.flow.cols}x${this.flow.rows}`);
    }
    this.covered = { width: this.flow.cols * params.cell, height: this.flow.rows * params.cell };
    this.field = this.flow.newField();
    this.cells = new Float32Array(this.flow.cols * this.flow.rows);
  }

  /** The flow field of a frame pair (for inspection and gating); undefined without `prev`. */
  flowOf(input: FrameInput): FlowField | undefined {
    if (!input.prev) return undefined;
    const pair = input as FrameInput & { prev: Uint8Array };
    return peekFlow(pair, this.params) ?? this.flow.estimate(input.data, input.prev, this.field);
  }

  protected scoreFrame(input: FrameInput): DetectorOutput {
    const { cols, rows } = this.flow;
    const field = this.flowOf(input);
    if (!field) {
      // Motion unknown: neutral.
      return { raw: this.params.minRaw, map: { cols, rows, data: new Float32Array(cols * rows) } };
    }
    flowSurprise(field, this.density, this.params, this.cells);
    const data = this.params.smooth ? smoothMap(this.cells, cols, rows, new Float32Array(cols * rows)) : Float32Array.from(this.cells);
    const map: ScoreMap = { cols, rows, data };
    return { raw: Math.max(this.params.minRaw, mapMax(map)), map };
  }

  exportState(): DetectorState {
    const d = this.density;
    return {
      state: { cols: d.cols, rows: d.rows, bins: d.bins },
      arrays: { direction: d.direction, speedMean: d.speedMean, speedStd: d.speedStd },
    };
  }
}

export const motionFlowKind = defineMember({
  name: 'motionFlow',
  tier: 'cheap',
  params: { defaults: defaultMotionFlowParams, schema: motionFlowParams },
  arrays: ['direction', 'speedMean', 'speedStd'],
  fit(frames, p, frame) {
    const density = fitFlowDensity(frames, p);
    return new MotionFlow(p, frame, density);
  },
  restore({ direction, speedMean, speedStd }, p, frame) {
    const cols = Math.floor(frame.width / p.cell),
      rows = Math.floor(frame.height / p.cell);
    expectLength('motionFlow', 'direction', direction, cols * rows * p.bins, frame);
    expectLength('motionFlow', 'speedMean', speedMean, cols * rows, frame);
    expectLength('motionFlow', 'speedStd', speedStd, cols * rows, frame);
    expectPositive('motionFlow', 'speedStd', speedStd);
    return new MotionFlow(p, frame, { cols, rows, bins: p.bins, direction, speedMean, speedStd });
  },
});
