/** How a camera model combines its members: 'max' (any member alarms) and 'geometric-mean' (evidence multiplies, own threshold). */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FrameSize } from '@vigil/core';
import { fitCameraModel, geometricMean, loadCameraModel, saveCameraModel } from '../src/cameraModel.js';
import type { Detector, DetectorKind } from '../src/detector.js';
import type { FrameInput } from '../src/frameInput.js';
import { registerDetector } from '../src/registry.js';

const SIZE: FrameSize = { width: 16, height: 8 };

/** A member whose raw score is one channel's mean brightness, over a one-cell map. */
function channelMember(name: string, channel: number): DetectorKind {
  const make = (frame: FrameSize): Detector => ({
    name,
    params: { channel },
    frame,
    covered: frame,
    score(input: FrameInput) {
      let sum = 0;
      for (let i = channel; i < input.data.length; i += 3) sum += input.data[i]!;
      const raw = 1 + sum / (input.data.length / 3);
      return { raw, map: { cols: 1, rows: 1, data: Float32Array.of(raw) } };
    },
    exportState: () => ({ state: {}, arrays: {} }),
  });
  return { name, fit: (frames) => make({ width: frames[0]!.width, height: frames[0]!.height }), restore: (_p, _s, frame) => make(frame) };
}
registerDetector(channelMember('testRed', 0));
registerDetector(channelMember('testGreen', 1));

/** Normal frames: red and green brightness vary together around 100, with a little noise. */
function frame(red: number, green: number): FrameInput {
  const data = new Uint8Array(SIZE.width * SIZE.height * 3);
  for (let i = 0; i < data.length; i += 3) {
    data[i] = red;
    data[i + 1] = green;
  }
  return { data, ...SIZE };
}
const normal = Array.from({ length: 100 }, (_, i) => frame(95 + (i % 11), 95 + ((i * 7) % 11)));

describe('combining members', () => {
  it("'max' scores a frame as its most alarmed member", async () => {
    const model = await fitCameraModel(normal, { cameraId: 'c', members: ['testRed', 'testGreen'] });
    const s = model.score(frame(250, 100));
    expect(s.score).toBeCloseTo(Math.max(s.members.testRed!, s.members.testGreen!), 10);
    expect(s.score).toBeGreaterThan(1);
    expect(model.manifest.combine).toBe('max');
  });

  it("'geometric-mean' damps one member's alarm, keeps a shared one, and calibrates its own threshold", async () => {
    const model = await fitCameraModel(normal, { cameraId: 'c', members: ['testRed', 'testGreen'], combine: 'geometric-mean' });
    const cal = model.manifest.ensembleCalibration!;
    expect(cal.heldOutFrames).toBe(normal.length);
    const one = model.score(frame(140, 100));
    expect(one.score).toBeCloseTo(geometricMean([one.members.testRed!, one.members.testGreen!]) / cal.threshold, 10);
    expect(one.score).toBeLessThan(Math.max(one.members.testRed!, one.members.testGreen!));
    const both = model.score(frame(250, 250));
    expect(both.score).toBeGreaterThan(1);
    // Held-out normal frames stay under the threshold (the margin keeps them well below).
    for (const f of normal.slice(0, 20)) expect(model.score(f).score).toBeLessThan(1);
    expect(one.map.data[0]).toBeCloseTo(one.score, 5);
  });

  it('keeps the rule and the ensemble threshold through save and load', async () => {
    const model = await fitCameraModel(normal, { cameraId: 'c', members: ['testRed', 'testGreen'], combine: 'geometric-mean' });
    const dir = join(mkdtempSync(join(tmpdir(), 'vigil-combine-')), 'm');
    await saveCameraModel(model, dir);
    const loaded = await loadCameraModel(dir);
    const f = frame(180, 120);
    expect(loaded.score(f).score).toBe(model.score(f).score);
    expect(loaded.manifest.combine).toBe('geometric-mean');
  });

  it('leaves a one-member model as that member, whatever the rule', async () => {
    const model = await fitCameraModel(normal, { cameraId: 'c', members: ['testRed'], combine: 'geometric-mean' });
    const s = model.score(frame(250, 100));
    expect(s.score).toBe(s.members.testRed);
    expect(model.manifest.ensembleCalibration).toBeUndefined();
  });
});
