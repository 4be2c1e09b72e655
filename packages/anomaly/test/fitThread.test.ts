/** Fitting in a worker thread: the model it saves is the one an in-process fit makes, and failures come back named. */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelError } from '@vigil/core';
import { fitCameraModel, loadCameraModel } from '../src/cameraModel.js';
import { fitCameraModelInThread } from '../src/fitThread.js';
import { framesWithPrev } from '../src/frameInput.js';

const W = 64,
  H = 48;
/** A grey scene with a bright square drifting left to right. */
function frames(n: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => {
    const d = new Uint8Array(W * H * 3).fill(90);
    for (let y = 20; y < 28; y++) for (let x = (i * 3) % 56; x < ((i * 3) % 56) + 8; x++) d.fill(200, (y * W + x) * 3, (y * W + x) * 3 + 3);
    return d;
  });
}

describe('fitCameraModelInThread', () => {
  it('saves under the models folder a model that scores as an in-process fit does', async () => {
    const inputs = framesWithPrev(frames(40), W, H);
    const dir = mkdtempSync(join(tmpdir(), 'vigil-fit-thread-'));
    const { version } = await fitCameraModelInThread(inputs, { cameraId: 'cam-t', members: ['patchGaussian'] }, dir);
    expect(readdirSync(dir)).toEqual([version]);
    const loaded = await loadCameraModel(join(dir, version));
    expect(loaded.manifest.cameraId).toBe('cam-t');
    const local = await fitCameraModel(inputs, { cameraId: 'cam-t', members: ['patchGaussian'] });
    const probe = inputs[17]!;
    expect(loaded.score(probe).score).toBeCloseTo(local.score(probe).score, 5);
  }, 60_000);

  it('rejects with the camera named when the fit fails in the thread', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-fit-thread-'));
    const err = await fitCameraModelInThread(framesWithPrev(frames(10), W, H), { cameraId: 'cam-bad', members: ['noSuchDetector'] }, dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect((err as Error).message).toMatch(/cam-bad.*unknown detector "noSuchDetector"/);
    expect(readdirSync(dir)).toEqual([]);
  }, 60_000);
});
