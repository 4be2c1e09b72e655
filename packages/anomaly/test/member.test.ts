/** The member base (member.ts), with the example member of docs/detectors.md ("Adding a detector"). */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ModelError, type FrameSize } from '@vigil/core';
import type { DetectorOutput, DetectorState } from '../src/detector.js';
import type { FrameInput } from '../src/frameInput.js';
import { defineMember, expectLength, Member } from '../src/member.js';
import { flowHistogramKind } from '../src/flowHistogram/index.js';
import { autoencoderKind } from '../src/autoencoder/index.js';

interface LumaMeanParams {
  cell: number;
}
const cellsOf = (f: FrameSize, cell: number) => ({ cols: Math.floor(f.width / cell), rows: Math.floor(f.height / cell) });

function cellMeans(input: FrameInput, cell: number): Float32Array {
  const { cols, rows } = cellsOf(input, cell);
  const out = new Float32Array(cols * rows);
  for (let y = 0; y < rows * cell; y++) for (let x = 0; x < cols * cell; x++) out[Math.floor(y / cell) * cols + Math.floor(x / cell)]! += input.data[(y * input.width + x) * 3]! / (cell * cell);
  return out;
}

class LumaMean extends Member<LumaMeanParams> {
  readonly name = 'lumaMean';
  readonly covered: FrameSize;
  constructor(
    params: LumaMeanParams,
    frame: FrameSize,
    readonly mean: Float32Array,
  ) {
    super(params, frame);
    const { cols, rows } = cellsOf(frame, params.cell);
    expectLength('lumaMean', 'mean', mean, cols * rows, frame);
    this.covered = { width: cols * params.cell, height: rows * params.cell };
  }
  protected scoreFrame(input: FrameInput): DetectorOutput {
    const data = cellMeans(input, this.params.cell).map((v, i) => Math.abs(v - this.mean[i]!));
    return { raw: Math.max(...data), map: { ...cellsOf(this.frame, this.params.cell), data } };
  }
  exportState(): DetectorState {
    return { state: {}, arrays: { mean: this.mean } };
  }
}

const lumaMeanKind = defineMember({
  name: 'lumaMean',
  tier: 'cheap',
  params: { defaults: { cell: 8 }, schema: z.object({ cell: z.number().int().min(2) }) },
  arrays: ['mean'],
  fit(frames, p, frame) {
    const sum = cellMeans(frames[0]!, p.cell).fill(0);
    for (const f of frames) cellMeans(f, p.cell).forEach((v, i) => (sum[i]! += v / frames.length));
    return new LumaMean(p, frame, sum);
  },
  restore: ({ mean }, p, frame) => new LumaMean(p, frame, mean),
});

function grey(width: number, height: number, level: number): FrameInput {
  return { data: new Uint8Array(width * height * 3).fill(level), width, height };
}

describe('defineMember', () => {
  it('fits, scores, saves and restores the documented example member', () => {
    const member = lumaMeanKind.fit([grey(32, 16, 100), grey(32, 16, 120)], { cell: 4 }) as LumaMean;
    expect(member.covered).toEqual({ width: 32, height: 16 });
    const out = member.score(grey(32, 16, 150));
    expect(out.raw).toBeCloseTo(40, 4);
    expect(out.map).toMatchObject({ cols: 8, rows: 4 });
    const restored = lumaMeanKind.restore({ cell: 4 }, member.exportState(), { width: 32, height: 16 });
    expect(restored.score(grey(32, 16, 150)).raw).toBeCloseTo(40, 4);
    expect(lumaMeanKind.tier).toBe('cheap');
  });

  it('names the param that is unknown or wrong, at once (not in a rejected promise)', () => {
    const frames = [grey(32, 16, 100)];
    expect(() => lumaMeanKind.fit(frames, { cel: 4 })).toThrow(new ModelError('unknown lumaMean params: cel (known: cell)'));
    expect(() => lumaMeanKind.fit(frames, { cell: 1 })).toThrow(/^invalid lumaMean params: cell: Too small/);
    expect(() => lumaMeanKind.fit(frames, { cell: 'four' })).toThrow(/invalid lumaMean params: cell: .*expected number/);
    // The real members go through the same checks: a backbone-free one and a learned one.
    expect(() => flowHistogramKind.fit(frames, { speedEdges: [4, 1] })).toThrow(/invalid flowHistogram params: speedEdges: must ascend/);
    expect(() => autoencoderKind.fit(frames, { levels: 3 })).toThrow(/invalid autoencoder params: levels/);
  });

  it('checks the training frames: some, and of one size', () => {
    expect(() => lumaMeanKind.fit([], {})).toThrow(new ModelError('lumaMean needs at least 1 training frame, got 0'));
    expect(() => lumaMeanKind.fit([grey(32, 16, 1), grey(16, 16, 1)], {})).toThrow(/training frames differ in size: 32x16 and 16x16/);
  });

  it('checks the frame size on every score', () => {
    const member = lumaMeanKind.fit([grey(32, 16, 100)], {}) as LumaMean;
    expect(() => member.score(grey(16, 16, 100))).toThrow(new RangeError('lumaMean: frame is 16x16, expected 32x16'));
  });

  it('restores only a state that fits: every array present, of the frame’s size; other errors become ModelErrors', () => {
    const frame = { width: 32, height: 16 };
    expect(() => lumaMeanKind.restore({}, { state: {}, arrays: {} }, frame)).toThrow(new ModelError('lumaMean state lacks its mean array'));
    expect(() => lumaMeanKind.restore({}, { state: {}, arrays: { mean: new Float32Array(3) } }, frame)).toThrow(
      new ModelError('lumaMean mean does not match a 32x16 frame: expected 8 values, found 3'),
    );
    const broken = defineMember({
      ...({ name: 'broken', params: { defaults: {}, schema: z.object({}) }, arrays: [] } as const),
      fit: () => new LumaMean({ cell: 8 }, frame, new Float32Array(8)),
      restore: () => {
        throw new TypeError('bad bytes');
      },
    });
    expect(() => broken.restore({}, { state: {}, arrays: {} }, frame)).toThrow(new ModelError('broken state does not fit a 32x16 frame: bad bytes'));
  });
});
