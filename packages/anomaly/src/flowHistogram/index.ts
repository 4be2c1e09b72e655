/** FlowHistogram as an ensemble member: model.ts (descriptors and bank), fit.ts (fitting); optical flow in features/. */
import { z } from 'zod';
import { ModelError, type FrameSize } from '@vigil/core';
import type { DetectorKind, DetectorOutput, DetectorState } from '../detector.js';
import type { MemoryUse } from '../features/featureMemory.js';
import type { FrameInput } from '../frameInput.js';
import { defineMember, Member } from '../member.js';
import { fitLocationBank } from './fit.js';
import { defaultFlowHistogramParams, DESCRIPTOR, FlowDescriptors, flowCells, LocationBank, SPEEDS, weighBorder, type FlowHistogramParams } from './model.js';

export * from './model.js';
export * from './fit.js';

/** Params: each checked, with the key named when one is wrong. */
const pos = z.number().positive();
const flowHistogramParams = z
  .object({
    levels: z.number().int().min(1).max(6),
    window: z
      .number()
      .int()
      .min(3)
      .refine((w) => w % 2 === 1, 'must be odd'),
    iterations: z.number().int().min(1).max(10),
    blur: z.number().min(0).max(5),
    cell: z.number().int().positive(),
    changeThreshold: pos,
    speedEdges: z
      .array(pos)
      .length(SPEEDS - 1)
      .refine((e) => e.every((v, i) => i === 0 || v > e[i - 1]!), 'must ascend'),
    minSpeed: z.number().min(0),
    frames: z.number().int().min(1).max(60),
    speedWeights: z.array(pos).length(SPEEDS),
    perCell: z.number().int().positive(),
    borderWeights: z.array(z.number().min(0).max(1)).max(4),
    seed: z.number().int(),
  })
  .refine((p) => p.minSpeed < p.speedEdges[0]!, { message: 'minSpeed must be below the first speed edge', path: ['minSpeed'] });

export class FlowHistogram extends Member<FlowHistogramParams> {
  readonly name = 'flowHistogram';
  readonly covered: FrameSize;
  readonly memory: MemoryUse;
  private readonly descriptors: FlowDescriptors;
  private readonly pooled: Float32Array;

  constructor(
    params: FlowHistogramParams,
    frame: FrameSize,
    readonly bank: LocationBank,
  ) {
    super(params, frame);
    this.descriptors = new FlowDescriptors(params, frame.width, frame.height);
    const { cols, rows } = this.descriptors.grid;
    if (bank.grid.cols !== cols || bank.grid.rows !== rows)
      throw new ModelError(`flowHistogram bank is ${bank.grid.cols}x${bank.grid.rows} cells, a ${frame.width}x${frame.height} frame has ${cols}x${rows}`);
    this.covered = { width: cols * params.cell, height: rows * params.cell };
    this.memory = { key: this.descriptors.key, frames: params.frames };
    this.pooled = new Float32Array(this.descriptors.cells * DESCRIPTOR);
  }

  protected scoreFrame(input: FrameInput): DetectorOutput {
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

const kind = defineMember({
  name: 'flowHistogram',
  tier: 'cheap',
  params: { defaults: defaultFlowHistogramParams, schema: flowHistogramParams },
  arrays: ['entries', 'offsets'],
  fit: (frames, p, frame) => new FlowHistogram(p, frame, fitLocationBank(frames, p)),
  restore: ({ entries, offsets }, p, frame) => new FlowHistogram(p, frame, new LocationBank(flowCells(frame.width, frame.height, p.cell), entries, offsets)),
});

export const flowHistogramKind: DetectorKind = {
  ...kind,
  // Models saved before border rings were weighted one by one kept a single `borderWeight`.
  restore(params, saved, frame) {
    const { borderWeight, ...rest } = params;
    return kind.restore(typeof borderWeight === 'number' ? { ...rest, borderWeights: [borderWeight] } : params, saved, frame);
  },
};
