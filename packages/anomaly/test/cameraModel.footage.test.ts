import { mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelError } from '@vigil/core';
import { fitCameraModel, loadCameraModel, saveCameraModel, type CameraModel } from '../src/cameraModel.js';
import { anomalyStoppedAt, type AnomalySpec } from '../src/synth/index.js';
import { boxIoU, fitOn, injectIntoRest, splitClip, topRegion, type ClipSplit } from './detection.js';

const report = (msg: string) => process.stdout.write(`  [figures] ${msg}\n`);

interface Case {
  file: string;
  spec: AnomalySpec;
}

// Vehicle-sized (~50×30 px at 320 px wide): drives in for a second, then stops for the rest.
const cases: Case[] = [
  {
    file: 'street.mp4',
    spec: {
      kind: 'stopped-vehicle',
      startSeconds: 24,
      durationSeconds: 8,
      size: { width: 0.16, height: 0.18 },
      position: { x: 0.55, y: 0.62 },
      velocity: { x: -0.08, y: -0.1 },
      enterSeconds: 1,
    },
  },
  {
    file: 'parking-overhead.mp4',
    spec: {
      kind: 'stopped-vehicle',
      startSeconds: 22,
      durationSeconds: 6,
      size: { width: 0.15, height: 0.17 },
      position: { x: 0.4, y: 0.45 },
      velocity: { x: 0.1, y: 0 },
      enterSeconds: 1,
    },
  },
];

for (const { file, spec } of cases) {
  describe(`camera model on ${file} (fit on the first 20 s, judged on the rest)`, () => {
    let split: ClipSplit;
    let model: CameraModel;

    beforeAll(async () => {
      split = await splitClip(file, 20);
      const fitted = await fitOn(split, file);
      model = fitted.model;
      report(`${file}: fit on ${split.train.length} frames in ${fitted.fitMs.toFixed(0)} ms, threshold ${model.manifest.members[0]!.calibration.threshold.toFixed(2)}`);
    });

    it('raises no frame to the threshold on the clean remainder of the clip', () => {
      const t0 = performance.now();
      const scores = split.rest.map((input) => model.score(input).score);
      const ms = (performance.now() - t0) / scores.length;
      const max = Math.max(...scores);
      report(`${file}: clean remainder ${scores.length} frames, max normalised score ${max.toFixed(3)}, ${ms.toFixed(2)} ms/frame`);
      expect(scores.length).toBeGreaterThan(40);
      expect(max).toBeLessThan(1);
    });

    // Frame by frame, without the camera's background pair: a per-frame appearance member finds it (the
    // default model finds real stopped vehicles through its background pair: packages/review/test/realFootage.test.ts).
    it('with a per-frame appearance member, flags a drawn stopped vehicle in most frames it is present, and boxes it', async () => {
      const model = await fitCameraModel(split.train, { cameraId: file, members: ['patchGaussian'] });
      const frames = injectIntoRest(split, spec);
      const present = frames.filter((f) => f.box && f.t - spec.startSeconds >= 0.5);
      expect(present.length).toBeGreaterThan(20);
      let hits = 0,
        stoppedHits = 0,
        stopped = 0;
      const ious: number[] = [];
      for (const f of present) {
        const { score, region } = topRegion(model, f.input);
        if (score >= 1) hits++;
        if (anomalyStoppedAt(spec, f.t)) {
          stopped++;
          if (score >= 1) stoppedHits++;
        }
        if (score >= 1) ious.push(region ? boxIoU(region, f.box!) : 0);
      }
      const rate = hits / present.length;
      const meanIoU = ious.reduce((a, b) => a + b, 0) / Math.max(1, ious.length);
      report(
        `${file}: detected ${hits}/${present.length} frames (${(100 * rate).toFixed(0)}%), stopped ${stoppedHits}/${stopped}; ` +
          `top-region IoU mean ${meanIoU.toFixed(2)} min ${Math.min(...ious).toFixed(2)}`,
      );
      expect(rate).toBeGreaterThanOrEqual(0.8);
      expect(ious.filter((v) => v >= 0.3).length / ious.length).toBeGreaterThanOrEqual(0.9);
      // Nothing is flagged before it appears.
      const before = frames.filter((f) => !f.box).map((f) => model.score(f.input).score);
      expect(Math.max(...before)).toBeLessThan(1);
    });
  });
}

describe('saving and loading a camera model', () => {
  let split: ClipSplit;
  let model: CameraModel;
  let dir: string;

  beforeAll(async () => {
    split = await splitClip('street.mp4', 20);
    model = (await fitOn(split, 'street-cam')).model;
    dir = await mkdtemp(join(tmpdir(), 'vigil-model-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('round-trips to identical scores, maps and manifest', async () => {
    await saveCameraModel(model, dir);
    const loaded = await loadCameraModel(dir);
    expect(loaded.manifest).toEqual(model.manifest);
    expect(loaded.manifest.cameraId).toBe('street-cam');
    expect(loaded.manifest.frame).toEqual({ width: 320, height: 176 });
    for (const input of split.rest.slice(0, 30)) {
      const a = model.score(input),
        b = loaded.score(input);
      expect(b.score).toBe(a.score);
      expect(b.members).toEqual(a.members);
      expect(Array.from(b.map.data)).toEqual(Array.from(a.map.data));
    }
  });

  it('refuses a missing, corrupt or truncated model directory with a ModelError naming it', async () => {
    await expect(loadCameraModel(join(dir, 'nope'))).rejects.toThrow(ModelError);
    await expect(loadCameraModel(join(dir, 'nope'))).rejects.toThrow(/nope.*manifest\.json/);

    const bad = await mkdtemp(join(tmpdir(), 'vigil-bad-model-'));
    try {
      await saveCameraModel(model, bad);
      const manifest = JSON.parse(await readFile(join(bad, 'manifest.json'), 'utf8'));
      const meanFile = (Object.values(manifest.members[0].arrays)[0] as { file: string }).file;
      const bytes = await readFile(join(bad, meanFile));
      await writeFile(join(bad, meanFile), bytes.subarray(0, bytes.length - 8));
      await expect(loadCameraModel(bad)).rejects.toThrow(ModelError);
      await expect(loadCameraModel(bad)).rejects.toThrow(new RegExp(`${bad}.*${meanFile.replace('.', '\\.')}.*bytes`));

      await writeFile(join(bad, 'manifest.json'), '{"format": "vigil-camera-model", "formatVers');
      await expect(loadCameraModel(bad)).rejects.toThrow(/not valid JSON/);

      await saveCameraModel(model, bad);
      await writeFile(
        join(bad, 'manifest.json'),
        JSON.stringify({
          ...manifest,
          areas: {
            masks: [
              [
                [0, 0],
                [2, 0],
                [0, 1],
              ],
            ],
          },
        }),
      );
      await expect(loadCameraModel(bad)).rejects.toThrow(/areas are invalid/);

      await saveCameraModel(model, bad);
      manifest.frame = { width: 640, height: 352 };
      await writeFile(join(bad, 'manifest.json'), JSON.stringify(manifest));
      await expect(loadCameraModel(bad)).rejects.toThrow(/does not fit a 640x352 frame|do not match a 640x352 frame/);
    } finally {
      await rm(bad, { recursive: true, force: true });
    }
  });

  it('refuses frames of another size', () => {
    const input = split.rest[0]!;
    expect(() => model.score({ data: input.data.subarray(0, 160 * 88 * 3), width: 160, height: 88 })).toThrow(ModelError);
  });

  it('scores a frame without its predecessor as neutral motion, not as an anomaly', () => {
    const scores = split.rest.map(({ data, width, height }) => model.score({ data, width, height }).score);
    expect(Math.max(...scores)).toBeLessThan(1);
  });
});
