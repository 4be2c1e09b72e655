/** FlowHistogram as an ensemble member: model.ts (descriptors and bank), fit.ts (fitting); optical flow in features/. */
import { ModelError, type FrameSize } from '@vigil/core';
import type { Detector, DetectorKind, DetectorOutput, DetectorState } from '../detector.js';
import type { MemoryUse } from '../features/featureMemory.js';
import { isPositiveInt, resolveParams } from '../features/memberInput.js';
import type { FrameInput } from '../frameInput.js';
import { fitLocationBank } from './fit.js';
import { defaultFlowHistogramParams, DESCRIPTOR, FlowDescriptors, flowCells, LocationBank, SPEEDS, weighBorder, type FlowHistogramParams } from './model.js';

export * from './model.js';
export * from './fit.js';

export class FlowHistogram implements Detector {
  static readonly kind = 'flowHistogram';
  readonly name = FlowHistogram.kind;
  readonly covered: FrameSize;
  readonly memory: MemoryUse;
  private readonly descriptors: FlowDescriptors;
  private readonly pooled: Float32Array;

  constructor(
    readonly params: FlowHistogramParams,
    readonly frame: FrameSize,
    readonly bank: LocationBank,
  ) {
    this.descriptors = new FlowDescriptors(params, frame.width, frame.height);
    const { cols, rows } = this.descriptors.grid;
    if (bank.grid.cols !== cols || bank.grid.rows !== rows)
      throw new ModelError(`flowHistogram bank is ${bank.grid.cols}x${bank.grid.rows} cells, a ${frame.width}x${frame.height} frame has ${cols}x${rows}`);
    this.covered = { width: cols * params.cell, height: rows * params.cell };
    this.memory = { key: this.descriptors.key, frames: params.frames };
    this.pooled = new Float32Array(this.descriptors.cells * DESCRIPTOR);
  }

  score(input: FrameInput): DetectorOutput {
    if (input.width !== this.frame.width || input.height !== this.frame.height) {
      throw new RangeError(`frame is ${input.width}x${input.height}, expected ${this.frame.width}x${this.frame.height}`);
    }
    const { cols, rows } = this.descriptors.grid;
    const data = new Float32Array(cols * rows);
    const pooled = this.descriptors.pooled(input, this.pooled);
    // Motion unknown (first frame): neutral, and not warm.
    if (pooled === 0) return { raw: 0, map: { cols, rows, data }, warm: false };
    weighBorder(this.bank.nearest(this.pooled, data), this.descriptors.grid, this.params.borderWeights);
    let raw = 0;
    for (const v of data) if (v > raw) raw = v;
    // Warm once most of the pooled window was seen (after a start or a seek the first frames are noisy).
    return { raw, map: { cols, rows, data }, warm: pooled >= Math.ceil(this.params.frames / 2) };
  }

  exportState(): DetectorState {
    return { state: { entries: this.bank.size, descriptor: DESCRIPTOR }, arrays: { entries: this.bank.entries, offsets: this.bank.offsets } };
  }
}

function options(given: Record<string, unknown> | undefined): FlowHistogramParams {
  const pos = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v > 0;
  const posInt = isPositiveInt;
  return resolveParams(
    'flowHistogram',
    defaultFlowHistogramParams,
    given,
    (p) =>
      posInt(p.levels) &&
      p.levels <= 6 &&
      posInt(p.window) &&
      p.window >= 3 &&
      p.window % 2 === 1 &&
      posInt(p.iterations) &&
      p.iterations <= 10 &&
      typeof p.blur === 'number' &&
      p.blur >= 0 &&
      p.blur <= 5 &&
      posInt(p.cell) &&
      pos(p.changeThreshold) &&
      Array.isArray(p.speedEdges) &&
      p.speedEdges.length === SPEEDS - 1 &&
      p.speedEdges.every(pos) &&
      p.speedEdges.every((e, i) => i === 0 || e > p.speedEdges[i - 1]!) &&
      typeof p.minSpeed === 'number' &&
      p.minSpeed >= 0 &&
      p.minSpeed < p.speedEdges[0]! &&
      posInt(p.frames) &&
      p.frames <= 60 &&
      Array.isArray(p.speedWeights) &&
      p.speedWeights.length === SPEEDS &&
      p.speedWeights.every(pos) &&
      posInt(p.perCell) &&
      Array.isArray(p.borderWeights) &&
      p.borderWeights.length <= 4 &&
      p.borderWeights.every((w) => typeof w === 'number' && w >= 0 && w <= 1) &&
      Number.isInteger(p.seed),
  );
}

export const flowHistogramKind: DetectorKind = {
  name: FlowHistogram.kind,
  tier: 'cheap',
  fit(frames: FrameInput[], params?: Record<string, unknown>): Detector {
    const p = options(params);
    const first = frames[0];
    if (!first) throw new ModelError('flowHistogram needs training frames');
    return new FlowHistogram(p, { width: first.width, height: first.height }, fitLocationBank(frames, p));
  },
  restore(params: Record<string, unknown>, saved: DetectorState, frame: FrameSize): Detector {
    // Models saved before border rings were weighted one by one kept a single `borderWeight`.
    const { borderWeight, ...rest } = params;
    const p = options(typeof borderWeight === 'number' ? { ...rest, borderWeights: [borderWeight] } : params);
    const { entries, offsets } = saved.arrays;
    if (!entries || !offsets) throw new ModelError('flowHistogram state lacks its entries or offsets array');
    try {
      return new FlowHistogram(p, frame, new LocationBank(flowCells(frame.width, frame.height, p.cell), entries, offsets));
    } catch (err) {
      throw new ModelError(`flowHistogram state does not fit a ${frame.width}x${frame.height} frame: ${(err as Error).message}`);
    }
  },
};
