/** BackgroundPair as an ensemble member: pair.ts (the dense state, kept by ingest), model.ts (static foreground), fit.ts (normal levels). */
import { ModelError, type FrameSize } from '@vigil/core';
import type { Detector, DetectorKind, DetectorOutput, DetectorState } from '../detector.js';
import type { FrameInput } from '../frameInput.js';
import { mapMax, smoothMap } from '../patchGaussian/anomalyMap.js';
import { fitNormalLevels } from './fit.js';
import { defaultBackgroundPairParams, StaticForeground, type BackgroundPairParams } from './model.js';

export * from './pair.js';
export * from './model.js';
export * from './fit.js';

export class BackgroundPairDetector implements Detector {
  static readonly kind = 'backgroundPair';
  readonly name = BackgroundPairDetector.kind;
  readonly covered: FrameSize;
  private readonly sf: StaticForeground;
  private readonly cells: Float32Array;

  constructor(
    readonly params: BackgroundPairParams,
    readonly frame: FrameSize,
    /** Normal level of f per cell. */
    readonly level: Float32Array,
    /** The training footage's median (half-res RGB); absent in models fitted before it was kept. */
    readonly reference?: Float32Array,
  ) {
    this.sf = new StaticForeground(frame.width, frame.height, params.cell);
    if (level.length !== this.sf.cols * this.sf.rows)
      throw new ModelError(`backgroundPair has ${level.length} levels, a ${frame.width}x${frame.height} frame has ${this.sf.cols * this.sf.rows} cells`);
    this.covered = { width: this.sf.cols * params.cell, height: this.sf.rows * params.cell };
    this.cells = new Float32Array(level.length);
  }

  score(input: FrameInput): DetectorOutput {
    if (input.width !== this.frame.width || input.height !== this.frame.height) {
      throw new RangeError(`frame is ${input.width}x${input.height}, expected ${this.frame.width}x${this.frame.height}`);
    }
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

function resolveParams(given: Record<string, unknown> | undefined): BackgroundPairParams {
  const p = { ...defaultBackgroundPairParams, ...(given ?? {}) } as BackgroundPairParams;
  const nonNeg = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0;
  const ok =
    Number.isInteger(p.cell) &&
    p.cell >= 2 &&
    p.cell % 2 === 0 &&
    Number.isInteger(p.minAge) &&
    p.minAge >= 1 &&
    nonNeg(p.minSeconds) &&
    nonNeg(p.minLevel) &&
    p.minLevel > 0 &&
    nonNeg(p.levelStd) &&
    Number.isInteger(p.poolRadius) &&
    p.poolRadius >= 0 &&
    typeof p.smooth === 'boolean' &&
    nonNeg(p.minRaw);
  if (!ok) throw new ModelError(`invalid backgroundPair params: ${JSON.stringify(given)}`);
  return p;
}

export const backgroundPairKind: DetectorKind = {
  name: BackgroundPairDetector.kind,
  tier: 'cheap',
  fit(frames: FrameInput[], params?: Record<string, unknown>): Detector {
    const p = resolveParams(params);
    const { level, reference } = fitNormalLevels(frames, p);
    const first = frames[0]!;
    return new BackgroundPairDetector(p, { width: first.width, height: first.height }, level, reference);
  },
  restore(params: Record<string, unknown>, saved: DetectorState, frame: FrameSize): Detector {
    const p = resolveParams(params);
    const { level } = saved.arrays;
    if (!level) throw new ModelError('backgroundPair state lacks its level array');
    const cells = Math.floor(frame.width / p.cell) * Math.floor(frame.height / p.cell);
    if (level.length !== cells) throw new ModelError(`backgroundPair arrays do not match a ${frame.width}x${frame.height} frame: expected ${cells} levels, found ${level.length}`);
    if (level.some((v) => !(v > 0))) throw new ModelError('backgroundPair level holds a non-positive value');
    const { reference } = saved.arrays;
    const half = Math.floor(frame.width / 2) * Math.floor(frame.height / 2) * 3;
    if (reference && reference.length !== half)
      throw new ModelError(`backgroundPair reference does not match a ${frame.width}x${frame.height} frame: expected ${half} values, found ${reference.length}`);
    return new BackgroundPairDetector(p, frame, level, reference);
  },
};
