/** BackgroundPair as an ensemble member: pair.ts (the dense state, kept by ingest), model.ts (static foreground), fit.ts (normal levels). */
import { z } from 'zod';
import type { FrameSize } from '@vigil/core';
import type { DetectorOutput, DetectorState } from '../detector.js';
import type { FrameInput } from '../frameInput.js';
import { defineMember, expectLength, expectPositive, Member } from '../member.js';
import { mapMax, smoothMap } from '../patchGaussian/anomalyMap.js';
import { fitNormalLevels } from './fit.js';
import { defaultBackgroundPairParams, StaticForeground, type BackgroundPairParams } from './model.js';

export * from './pair.js';
export * from './model.js';
export * from './fit.js';

const nonNegative = z.number().min(0);
const backgroundPairParams = z.object({
  cell: z
    .number()
    .int()
    .min(2)
    .refine((c) => c % 2 === 0, 'must be even'),
  minAge: z.number().int().min(1),
  minSeconds: nonNegative,
  minLevel: z.number().positive(),
  levelStd: nonNegative,
  poolRadius: z.number().int().min(0),
  smooth: z.boolean(),
  minRaw: nonNegative,
});

export class BackgroundPairDetector extends Member<BackgroundPairParams> {
  readonly name = 'backgroundPair';
  readonly covered: FrameSize;
  private readonly sf: StaticForeground;
  private readonly cells: Float32Array;

  constructor(
    params: BackgroundPairParams,
    frame: FrameSize,
    /** Normal level of f per cell. */
    readonly level: Float32Array,
    /** The training footage's median (half-res RGB); absent in models fitted before it was kept. */
    readonly reference?: Float32Array,
  ) {
    super(params, frame);
    this.sf = new StaticForeground(frame.width, frame.height, params.cell);
    expectLength('backgroundPair', 'level', level, this.sf.cols * this.sf.rows, frame);
    this.covered = { width: this.sf.cols * params.cell, height: this.sf.rows * params.cell };
    this.cells = new Float32Array(level.length);
  }

  protected scoreFrame(input: FrameInput): DetectorOutput {
    const { cols, rows } = this.sf;
    if (!this.sf.measure(input, this.params, this.cells, this.reference)) {
      return { raw: this.params.minRaw, map: { cols, rows, data: new Float32Array(cols * rows) }, warm: false };
    }
    for (let k = 0; k < this.cells.length; k++) this.cells[k] = this.cells[k]! / this.level[k]!;
    const data = this.params.smooth ? smoothMap(this.cells, cols, rows, new Float32Array(cols * rows)) : Float32Array.from(this.cells);
    const map = { cols, rows, data };
    return { raw: Math.max(this.params.minRaw, mapMax(map)), map };
  }

  exportState(): DetectorState {
    return { state: { cols: this.sf.cols, rows: this.sf.rows }, arrays: { level: this.level, ...(this.reference ? { reference: this.reference } : {}) } };
  }
}

export const backgroundPairKind = defineMember({
  name: 'backgroundPair',
  tier: 'cheap',
  params: { defaults: defaultBackgroundPairParams, schema: backgroundPairParams },
  arrays: ['level'],
  fit(frames, p, frame) {
    const { level, reference } = fitNormalLevels(frames, p);
    return new BackgroundPairDetector(p, frame, level, reference);
  },
  restore({ level, reference }, p, frame) {
    expectPositive('backgroundPair', 'level', level);
    if (reference) expectLength('backgroundPair', 'reference', reference, Math.floor(frame.width / 2) * Math.floor(frame.height / 2) * 3, frame);
    return new BackgroundPairDetector(p, frame, level, reference);
  },
});
