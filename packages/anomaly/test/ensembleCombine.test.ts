/** How a camera model combines its members: 'max' (any member alarms) and 'geometric-mean' (evidence multiplies, own threshold). */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FrameSize } from '@vigil/core';
import { DEFAULT_COMBINE, fitCameraModel, geometricMean, loadCameraModel, saveCameraModel } from '../src/cameraModel.js';
import { calibrate } from '../src/calibration.js';
import { scoreCascade, SequentialCascade } from '../src/cascade/index.js';
import type { Detector, DetectorKind } from '../src/detector.js';
import type { FrameInput } from '../src/frameInput.js';
import { registerDetector } from '../src/registry.js';

const SIZE: FrameSize = { width: 16, height: 8 };

/** A member whose raw score is one channel's mean brightness, over a one-cell map. */
function channelMember(name: string, channel: number, tier: 'cheap' | 'backbone'): DetectorKind {
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
  return { name, tier, fit: (frames) => make({ width: frames[0]!.width, height: frames[0]!.height }), restore: (_p, _s, frame) => make(frame) };
}
registerDetector(channelMember('testRed', 0, 'cheap'));
registerDetector(channelMember('testGreen', 1, 'backbone'));
registerDetector(channelMember('testBlue', 2, 'backbone'));

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
    const model = await fitCameraModel(normal, { cameraId: 'c', members: ['testRed', 'testGreen'], combine: 'max' });
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

  it('is max unless asked otherwise (the default members look for different things)', async () => {
    const model = await fitCameraModel(normal, { cameraId: 'c', members: ['testRed', 'testGreen'] });
    expect(DEFAULT_COMBINE).toBe('max');
    expect(model.manifest.combine).toBe('max');
  });

  it('gives a subset of members its own threshold from the held-out scores it keeps, through save and load', async () => {
    const model = await fitCameraModel(normal, { cameraId: 'c', members: ['testRed', 'testGreen', 'testBlue'], combine: 'geometric-mean' });
    const heldOut = model.manifest.ensembleHeldOut!;
    expect(Object.keys(heldOut).sort()).toEqual(['testBlue', 'testGreen', 'testRed']);
    expect(heldOut.testRed).toHaveLength(normal.length);
    // The threshold of red+green alone, as the manifest's held-out scores give it.
    const expected = calibrate(heldOut.testRed!.map((r, i) => geometricMean([r, heldOut.testGreen![i]!]))).threshold;
    const f = frame(200, 160);
    const pair = model.scoreMembers(f, ['testRed', 'testGreen']);
    expect(pair.score).toBeCloseTo(geometricMean([pair.members.testRed!, pair.members.testGreen!]) / expected, 10);
    expect(expected).not.toBeCloseTo(model.manifest.ensembleCalibration!.threshold, 3);
    const dir = join(mkdtempSync(join(tmpdir(), 'vigil-combine-')), 'm');
    await saveCameraModel(model, dir);
    const loaded = await loadCameraModel(dir);
    expect(loaded.scoreMembers(f, ['testRed', 'testGreen']).score).toBeCloseTo(pair.score, 4);
  });
});

describe('the cascade over a geometric-mean model (CPU backend)', () => {
  // These toy members score normal frames near 0.8 of their thresholds: flag from 0.9.
  const options = (seq: number) => ({ seq, backend: 'cpu', gating: false as const, settings: { threshold: 0.9, sampleEvery: 10 } });

  it('scores a flagged frame with every member, exactly as the model does', async () => {
    const model = await fitCameraModel(normal, { cameraId: 'c', members: ['testRed', 'testGreen'] });
    const f = frame(250, 240);
    const s = scoreCascade(model, f, options(3));
    expect(s.tier).toBe('full');
    expect(s.reason).toBe('flagged');
    expect(s.score).toBe(model.score(f).score);
    expect(Object.keys(s.members).sort()).toEqual(['testGreen', 'testRed']);
    expect(s.score).toBeGreaterThan(1);
  });

  it('leaves an unflagged, unsampled frame to the cheap member alone, under its own threshold', async () => {
    const model = await fitCameraModel(normal, { cameraId: 'c', members: ['testRed', 'testGreen'] });
    const f = frame(100, 250);
    const s = scoreCascade(model, f, options(3));
    expect(s.tier).toBe('cheap');
    expect(Object.keys(s.members)).toEqual(['testRed']);
    expect(s.score).toBe(s.members.testRed);
    expect(s.score).toBeLessThan(0.9);
    // The sampled frame runs the backbone member too and sees what the cheap one missed.
    const sampled = scoreCascade(model, f, options(10));
    expect(sampled.reason).toBe('sampled');
    expect(sampled.score).toBe(model.score(f).score);
  });

  it('escalates in sequence: after a high sampled score the backbone runs on every frame for escalateSeconds, then stops', async () => {
    const model = await fitCameraModel(normal, { cameraId: 'c', members: ['testRed', 'testGreen'] });
    const cascade = new SequentialCascade(model, { backend: 'cpu', fps: 5, gating: false, settings: { threshold: 0.9, sampleEvery: 10, escalateAt: 1, escalateSeconds: 1 } });
    // Green alone is anomalous (red, the cheap member, never flags it) from frame 10 to 14, then normal again.
    const tiers = Array.from({ length: 30 }, (_, seq) => cascade.score(frame(100, seq >= 10 && seq < 15 ? 250 : 100), seq));
    expect(tiers.slice(0, 10).map((s) => s.tier)).toEqual(['full', ...Array(9).fill('cheap')]);
    expect(tiers[10]!.reason).toBe('sampled');
    expect(tiers[10]!.score).toBeGreaterThan(1);
    expect(tiers.slice(11, 15).map((s) => s.reason)).toEqual(Array(4).fill('escalated'));
    // The last high frame (14) escalates frames 15–19: up to 14 + 1 + 5 (1 s at 5 fps), exclusive.
    expect(tiers.slice(15, 20).map((s) => s.reason)).toEqual(Array(5).fill('escalated'));
    expect(tiers.slice(20, 30).map((s) => s.reason)).toEqual(['sampled', ...Array(9).fill('not-flagged')]);
  });
});
