/** MotionFlow as an ensemble member: flow.ts (block matching), model.ts (direction/speed density), fit.ts (fitting). */
import { ModelError, type FrameSize, type ScoreMap } from '@vigil/core';
import type { Detector, DetectorKind, DetectorOutput, DetectorState } from '../detector.js';
import type { FrameInput } from '../frameInput.js';
import { mapMax, smoothMap } from '../patchGaussian/anomalyMap.js';
import { fitFlowDensity, peekFlow } from './fit.js';
import { BlockFlow, type FlowField } from './flow.js';
import { defaultMotionFlowParams, flowSurprise, type FlowDensity, type MotionFlowParams } from './model.js';

export * from './flow.js';
export * from './model.js';
export * from './fit.js';

export class MotionFlow implements Detector {
  static readonly kind = 'motionFlow';
  readonly name = MotionFlow.kind;
  readonly covered: FrameSize;
  private readonly flow: BlockFlow;
  private readonly field: FlowField;
  private readonly cells: Float32Array;

  constructor(
    readonly params: MotionFlowParams,
    readonly frame: FrameSize,
    readonly density: FlowDensity,
  ) {
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

  score(input: FrameInput): DetectorOutput {
    const { cols, rows } = this.flow;
    if (input.width !== this.frame.width || input.height !== this.frame.height) {
      throw new RangeError(`frame is ${input.width}x${input.height}, expected ${this.frame.width}x${this.frame.height}`);
    }
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

function resolveParams(given: Record<string, unknown> | undefined): MotionFlowParams {
  const p = { ...defaultMotionFlowParams, ...(given ?? {}) } as MotionFlowParams;
  const posInt = (v: unknown) => Number.isInteger(v) && (v as number) > 0;
  const pos = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v > 0;
  const ok =
    posInt(p.cell) &&
    p.cell % 4 === 0 &&
    pos(p.changeThreshold) &&
    posInt(p.searchRadius) &&
    pos(p.maxMatchRatio) &&
    p.maxMatchRatio <= 1 &&
    Number.isInteger(p.minAgreeing) &&
    p.minAgreeing >= 0 &&
    p.minAgreeing <= 8 &&
    posInt(p.bins) &&
    p.bins >= 4 &&
    pos(p.minSamples) &&
    posInt(p.maxPoolRadius) &&
    pos(p.prior) &&
    pos(p.minSpeedStd) &&
    typeof p.speedFreeZ === 'number' &&
    p.speedFreeZ >= 0 &&
    pos(p.directionSpeedHalf) &&
    typeof p.smooth === 'boolean' &&
    typeof p.minRaw === 'number' &&
    p.minRaw >= 0;
  if (!ok) throw new ModelError(`invalid motionFlow params: ${JSON.stringify(given)}`);
  return p;
}

export const motionFlowKind: DetectorKind = {
  name: MotionFlow.kind,
  tier: 'cheap',
  fit(frames: FrameInput[], params?: Record<string, unknown>): Detector {
    const p = resolveParams(params);
    const density = fitFlowDensity(frames, p);
    const first = frames[0]!;
    return new MotionFlow(p, { width: first.width, height: first.height }, density);
  },
  restore(params: Record<string, unknown>, saved: DetectorState, frame: FrameSize): Detector {
    const p = resolveParams(params);
    const { direction, speedMean, speedStd } = saved.arrays;
    if (!direction || !speedMean || !speedStd) throw new ModelError('motionFlow state lacks its direction, speedMean or speedStd array');
    const cols = Math.floor(frame.width / p.cell),
      rows = Math.floor(frame.height / p.cell);
    const cells = cols * rows;
    if (direction.length !== cells * p.bins || speedMean.length !== cells || speedStd.length !== cells) {
      throw new ModelError(
        `motionFlow arrays do not match a ${frame.width}x${frame.height} frame: expected ${cells * p.bins} direction and ${cells} speed entries, ` +
          `found ${direction.length}, ${speedMean.length} and ${speedStd.length}`,
      );
    }
    if (speedStd.some((v) => !(v > 0))) throw new ModelError('motionFlow speedStd holds a non-positive value');
    return new MotionFlow(p, frame, { cols, rows, bins: p.bins, direction, speedMean, speedStd });
  },
};
