import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ModelError } from '@vigil/core';
import { BackgroundPair } from '../src/backgroundPair/pair.js';
import type { FrameInput } from '../src/frameInput.js';
import { readLearningFrames, writeLearningFrames } from '../src/learning/learningFrames.js';

const root = mkdtempSync(join(tmpdir(), 'vigil-learning-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Frames of a moving gradient with the background pair ingest keeps, one run broken by a reconnect. */
function frames(n: number, width: number, height: number): FrameInput[] {
  const pair = new BackgroundPair(width, height, { fps: 5 });
  const out: FrameInput[] = [];
  for (let i = 0; i < n; i++) {
    const data = new Uint8Array(width * height * 3).map((_, k) => (k * 7 + i * 13) % 251);
    const background = pair.next(data);
    const prev = i > 0 && i !== 4 ? out[i - 1]!.data : undefined;
    out.push({ data, width, height, seq: 100 + i, ...(prev ? { prev } : {}), ...(i % 3 ? { background } : {}) });
  }
  return out;
}

describe('learning frames on disk', () => {
  it('reads back every frame, its sequence number, its predecessor and its background pair', async () => {
    const dir = join(root, 'cam1');
    const written = frames(8, 32, 24);
    await writeLearningFrames(dir, 'cam1', written);
    const { cameraId, frames: read } = await readLearningFrames(dir);
    expect(cameraId).toBe('cam1');
    expect(read).toHaveLength(8);
    read.forEach((f, i) => {
      const w = written[i]!;
      expect([f.width, f.height, f.seq]).toEqual([32, 24, 100 + i]);
      expect(Buffer.from(f.data).equals(Buffer.from(w.data))).toBe(true);
      // The predecessor is the frame read before it, by identity (motion pools by it), and absent after a break.
      if (w.prev) expect(f.prev).toBe(read[i - 1]!.data);
      else expect(f.prev).toBeUndefined();
      if (w.background) {
        expect(f.background!.age).toBe(w.background.age);
        expect(Buffer.from(f.background!.long).equals(Buffer.from(w.background.long))).toBe(true);
        expect(Buffer.from(f.background!.short).equals(Buffer.from(w.background.short))).toBe(true);
      } else expect(f.background).toBeUndefined();
    });
  });

  it('a new run replaces the last one', async () => {
    const dir = join(root, 'cam2');
    await writeLearningFrames(dir, 'cam2', frames(8, 32, 24));
    await writeLearningFrames(dir, 'cam2', frames(3, 16, 16));
    const { frames: read } = await readLearningFrames(dir);
    expect(read.map((f) => [f.width, f.height])).toEqual([
      [16, 16],
      [16, 16],
      [16, 16],
    ]);
  });

  it('a truncated, missing or foreign run is one ModelError naming the folder', async () => {
    const dir = join(root, 'cam3');
    await writeLearningFrames(dir, 'cam3', frames(5, 32, 24));
    const bin = join(dir, 'frames.bin');
    writeFileSync(bin, readFileSync(bin).subarray(0, 1000));
    await expect(readLearningFrames(dir)).rejects.toThrow(ModelError);
    await expect(readLearningFrames(dir)).rejects.toThrow(`learning frames in ${dir} are truncated or corrupt: 1000 bytes`);
    await expect(readLearningFrames(join(root, 'nobody'))).rejects.toThrow(/learning frames in .*nobody cannot be read/);
    writeFileSync(join(dir, 'frames.json'), JSON.stringify({ format: 'something-else' }));
    await expect(readLearningFrames(dir)).rejects.toThrow(/is not a vigil learning-frames index/);
  });

  it('refuses frames of two sizes', async () => {
    const mixed = [...frames(2, 32, 24), ...frames(1, 16, 16)];
    await expect(writeLearningFrames(join(root, 'cam4'), 'cam4', mixed)).rejects.toThrow(/differ in size: 32x24 and 16x16/);
  });
});
