import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { feedbackNormalDir, UsageError } from '@vigil/core';
import { latestModelVersion, loadCameraModel, modelVersionDir } from '@vigil/anomaly';
import { REPO_ROOT, runVigil } from '../support/vigilProcess.js';
import { expectOneClearLine } from './cliErrors.js';
import { runTrain } from '../../services/cli/src/commands/train.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-train-'));
const STREET = join(REPO_ROOT, 'footage/street.mp4');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Training {
  input: string;
  frames: number;
  seconds: number;
  fps: number;
  width: number;
  members: string[];
  backend: string;
  trainSeconds: number;
  feedbackFrames: number;
  passes: number;
}

function manifestOf(versionDir: string): { version: string; cameraId: string; frame: { width: number; height: number }; training: Training } {
  return JSON.parse(readFileSync(join(versionDir, 'manifest.json'), 'utf8'));
}

describe('vigil train', () => {
  it('learns 20 s of a video file and writes a loadable, versioned model with a training summary', async () => {
    const out = join(dir, 'models');
    const r = runVigil(['train', '--camera', 'street1', '--input', STREET, '--seconds', '20', '--members', 'patchGaussian', '--out', out], 90_000);
    expect(r.status, r.stderr).toBe(0);
    const versions = readdirSync(out);
    expect(versions).toHaveLength(1);
    const versionDir = join(out, versions[0]!);
    expect(r.stdout).toContain(versionDir);
    const manifest = manifestOf(versionDir);
    expect(manifest.version).toBe(versions[0]);
    expect(manifest.cameraId).toBe('street1');
    expect(manifest.training).toMatchObject({ input: STREET, frames: 100, seconds: 20, fps: 5, width: 320, members: ['patchGaussian'], feedbackFrames: 0, passes: 1 });
    expect(['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu']).toContain(manifest.training.backend);
    expect(manifest.training.trainSeconds).toBeGreaterThan(0);

    const model = await loadCameraModel(versionDir);
    expect(model.manifest.frame).toEqual({ width: 320, height: 176 });
    const frame = new Uint8Array(320 * 176 * 3).fill(120);
    const s = model.score({ data: frame, width: 320, height: 176 });
    expect(Number.isFinite(s.score)).toBe(true);
    expect(Object.keys(s.members)).toEqual(['patchGaussian']);
  }, 100_000);

  it('loops a short file to reach --seconds, and learns a folder of images plus operator-marked normal frames', async () => {
    // In-process (the same command function the CLI calls): a process start costs seconds on a busy machine.
    const out = join(dir, 'looped');
    const looped = await runTrain({ camera: 'street2', input: STREET, seconds: 50, fps: 1, members: ['patchGaussian'], out });
    expect(looped.manifest.training.frames).toBe(50);
    expect(looped.manifest.training.passes).toBe(2);
    expect(manifestOf(looped.dir).training.frames).toBe(50);

    // A folder of PNG frames (as a dataset clip), and a data dir with one false-alarm frame of the right size and one of another.
    const images = join(dir, 'images');
    mkdirSync(images);
    execFileSync('ffmpeg', ['-v', 'error', '-i', STREET, '-t', '8', '-vf', 'fps=4,scale=320:-2', join(images, '%03d.png')]);
    const data = join(dir, 'data');
    const normal = feedbackNormalDir(data, 'street3');
    mkdirSync(normal, { recursive: true });
    writeFileSync(join(normal, 'alert-1.rgb'), new Uint8Array(320 * 176 * 3).fill(90));
    writeFileSync(join(normal, 'alert-1.json'), JSON.stringify({ width: 320, height: 176 }));
    writeFileSync(join(normal, 'alert-2.rgb'), new Uint8Array(64 * 36 * 3));
    writeFileSync(join(normal, 'alert-2.json'), JSON.stringify({ width: 64, height: 36 }));
    const r = await runTrain({ camera: 'street3', input: images, data, members: ['patchGaussian'] });
    const version = latestModelVersion(data, 'street3');
    expect(r.dir).toBe(modelVersionDir(data, 'street3', version!));
    const m = manifestOf(r.dir);
    expect(m.training.frames).toBe(32);
    expect(m.training.feedbackFrames).toBe(1);
    await expect(loadCameraModel(r.dir)).resolves.toBeDefined();
  }, 120_000);

  it('says what is wrong with its input in one line', () => {
    expectOneClearLine(runVigil(['train', '--camera', 'c1', '--input', join(dir, 'missing.mp4'), '--out', dir]), /--input .*missing\.mp4: no such file or folder/);
    const notVideo = join(dir, 'notes.txt');
    writeFileSync(notVideo, 'not a video');
    expectOneClearLine(runVigil(['train', '--camera', 'c1', '--input', notVideo, '--out', dir]), /notes\.txt/);
  }, 60_000);

  it('refuses a bad camera id, a missing --out, an unknown member and a folder without images, naming each', async () => {
    await expect(runTrain({ camera: 'bad id!', input: STREET, out: dir })).rejects.toThrow(/--camera "bad id!": must be 1–64 letters/);
    await expect(runTrain({ camera: 'c1', input: STREET })).rejects.toThrow(/--out DIR is required/);
    await expect(runTrain({ camera: 'c1', input: STREET, out: dir, members: ['nope'] })).rejects.toThrow(/--members: unknown detector nope/);
    const noImages = join(dir, 'empty-folder');
    mkdirSync(noImages);
    await expect(runTrain({ camera: 'c1', input: noImages, out: dir })).rejects.toThrow(UsageError);
    await expect(runTrain({ camera: 'c1', input: noImages, out: dir })).rejects.toThrow(/empty-folder: no images/);
  });
});
