import { beforeAll, describe, expect, it } from 'vitest';
import { fitCameraModel, type CameraModel } from '../src/cameraModel.js';
import { SequenceMemory } from '../src/features/featureMemory.js';
import { DESCRIPTOR, FlowDescriptors, type FlowHistogram, flowHistogramKind, weighBorder } from '../src/flowHistogram/index.js';
import { framesWithPrev, type FrameInput } from '../src/frameInput.js';
import { splitClip, type ClipSplit } from './detection.js';
import { report } from './trafficClip.js';

describe('flowHistogram on street.mp4 (fit on the first 25 s, judged on the rest)', () => {
  let split: ClipSplit;
  let model: CameraModel;
  let member: FlowHistogram;
  beforeAll(async () => {
    split = await splitClip('street.mp4', 25);
    model = await fitCameraModel(split.train, { cameraId: 'street', members: ['flowHistogram'] });
    member = flowHistogramKind.fit(split.train) as FlowHistogram;
    report(`flowHistogram: ${member.bank.size} bank entries, threshold ${model.manifest.members[0]!.calibration.threshold.toFixed(2)}`);
  }, 120_000);

  it('keeps the clean remainder of the clip under its threshold', () => {
    const scores = split.rest.map((input) => model.score(input).score);
    report(`flowHistogram: clean remainder ${scores.length} frames, max normalised ${Math.max(...scores).toFixed(2)}`);
    expect(scores.filter((s) => s >= 1).length).toBeLessThanOrEqual(Math.ceil(0.02 * scores.length));
  });

  it('scores real traffic played backward (every vehicle against its lane) well above the same traffic forward', () => {
    // Real wrong-way pixels: the held-out remainder reversed. The signal is real but weak on 20 s of training.
    const rest = split.frames.slice(split.trainCount);
    const forward = framesWithPrev(rest, split.width, split.height),
      backward = framesWithPrev([...rest].reverse(), split.width, split.height);
    const p90 = (inputs: FrameInput[]) => {
      const s = inputs.map((f) => model.score(f).score).sort((a, b) => a - b);
      return s[Math.floor(0.9 * (s.length - 1))]!;
    };
    const fwd = p90(forward),
      bwd = p90(backward);
    report(`flowHistogram: 90th percentile of the frame score, traffic forward ${fwd.toFixed(2)}, backward ${bwd.toFixed(2)}`);
    expect(bwd).toBeGreaterThan(2 * fwd);
  });

  it('pools each frame with the predecessors it finds in memory, computing each frame once', () => {
    const d = new FlowDescriptors(member.params, split.width, split.height);
    const memory = new SequenceMemory();
    const frames = split.rest.slice(10, 16).map((f, i) => ({ ...f, seq: i, memory }));
    const raws = frames.map((f) => d.raw(f)!);
    const pooled = new Float32Array(d.cells * DESCRIPTOR);
    expect(d.pooled(frames[5]!, pooled)).toBe(member.params.frames);
    // The moving share (unweighted) of a cell is the mean over the five frames and the 2 × 2 block.
    const { cols } = d.grid;
    const c = 12 * cols + 30,
      k = DESCRIPTOR - 2;
    const cellsOf = [c, c - 1, c - cols, c - cols - 1];
    const expected = frames.slice(1).reduce((s, _, i) => s + cellsOf.reduce((t, cc) => t + raws[i + 1]![cc * DESCRIPTOR + k]!, 0), 0) / (4 * 5 * 64);
    expect(pooled[c * DESCRIPTOR + k]).toBeCloseTo(expected, 5);
    // Alone (no memory) it pools one frame, and is not warm.
    const alone = member.score({ data: frames[5]!.data, prev: frames[5]!.prev!, width: split.width, height: split.height });
    expect(alone.warm).toBe(false);
    expect(member.score(frames[5]!).warm).toBe(true);
    // Raw descriptors come back from memory, not recomputed.
    expect(d.raw(frames[3]!)).toBe(raws[3]);
  });

  it('is neutral and cold without the previous frame', () => {
    const out = model.score({ data: split.rest[0]!.data, width: split.width, height: split.height });
    expect(out.score).toBe(0);
    expect(out.warm).toBe(false);
  });

  it('restores from its exported state to identical scores, and refuses a state that does not fit', () => {
    const restored = flowHistogramKind.restore({ ...member.params }, member.exportState(), member.frame);
    for (const input of split.rest.slice(5, 25)) expect(Array.from(restored.score(input).map.data)).toEqual(Array.from(member.score(input).map.data));
    expect(() => flowHistogramKind.restore({}, { state: {}, arrays: {} }, member.frame)).toThrow(/lacks/);
    expect(() => flowHistogramKind.restore({}, member.exportState(), { width: 160, height: 96 })).toThrow(/does not fit/);
    expect(() => flowHistogramKind.fit(split.train, { speedEdges: [4, 1] })).toThrow(/invalid flowHistogram params/);
    expect(() => flowHistogramKind.fit(split.train, { perCel: 10 })).toThrow(/unknown flowHistogram params: perCel/);
    expect(() => flowHistogramKind.fit(split.train, { borderWeights: [1.5] })).toThrow(/invalid flowHistogram params/);
    // A model saved with one border weight (before rings were weighted one by one) still loads, with that weight.
    const { borderWeights: _rings, ...older } = member.params;
    const legacy = flowHistogramKind.restore({ ...older, borderWeight: 0.5 }, member.exportState(), member.frame) as FlowHistogram;
    expect(legacy.params.borderWeights).toEqual([0.5]);
  });
});

describe('flowHistogram border rings', () => {
  it('weighs each ring of cells along the edges by its own weight, outermost first, and leaves the inside alone', () => {
    const grid = { cols: 6, rows: 5 };
    const map = weighBorder(new Float32Array(30).fill(1), grid, [0.5, 0.6]);
    const at = (x: number, y: number) => map[y * grid.cols + x];
    for (const [x, y] of [
      [0, 0],
      [5, 4],
      [3, 0],
      [0, 2],
      [5, 2],
      [2, 4],
    ] as const)
      expect(at(x, y)).toBe(0.5);
    for (const [x, y] of [
      [1, 1],
      [4, 3],
      [2, 1],
      [1, 2],
      [4, 2],
      [3, 3],
    ] as const)
      expect(at(x, y)).toBeCloseTo(0.6);
    // The third ring inward is the inside: untouched.
    expect([at(2, 2), at(3, 2)]).toEqual([1, 1]);
    expect(Array.from(map).filter((v) => v === 1)).toHaveLength(2);
    expect(weighBorder(new Float32Array(4).fill(2), { cols: 2, rows: 2 }, [])).toEqual(new Float32Array(4).fill(2));
  });
});
