import { fileURLToPath } from 'node:url';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StreamError } from '@vigil/core';
import { describe, expect, it } from 'vitest';
import { decodeFrames, encodeVideo, probeVideo, type DecodedFrame } from '../src/index.js';

const STREET = fileURLToPath(new URL('../../../footage/street.mp4', import.meta.url));

function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]! - b[i]!);
  return s / a.length;
}

async function collect(it: AsyncIterable<DecodedFrame>): Promise<DecodedFrame[]> {
  const out: DecodedFrame[] = [];
  for await (const f of it) out.push(f);
  return out;
}

describe('decodeFrames', () => {
  it('decodes street.mp4 at 5 fps and width 320 into 320x176 frames covering the whole clip', async () => {
    const frames = await collect(decodeFrames(STREET, { fps: 5, width: 320 }));
    expect(Math.abs(frames.length - 37.7 * 5)).toBeLessThanOrEqual(3);
    for (const f of frames) {
      expect([f.width, f.height]).toEqual([320, 176]);
      expect(f.data.length).toBe(320 * 176 * 3);
    }
    expect(frames.map((f) => f.index)).toEqual(frames.map((_, i) => i));
    expect(frames[10]!.timeSeconds).toBeCloseTo(2, 5);
    // Traffic moves: consecutive frames differ, and a frame is not blank.
    const diffs = frames.slice(1).map((f, i) => meanAbsDiff(f.data, frames[i]!.data));
    expect(diffs.filter((d) => d > 0.5).length).toBeGreaterThan(frames.length * 0.8);
    expect(new Set(frames[0]!.data).size).toBeGreaterThan(100);
  });

  it('honours maxFrames and startSeconds', async () => {
    const frames = await collect(decodeFrames(STREET, { fps: 5, width: 160, maxFrames: 4, startSeconds: 30 }));
    expect(frames.length).toBe(4);
    expect([frames[0]!.width, frames[0]!.height]).toEqual([160, 88]);
    expect(frames[3]!.timeSeconds).toBeCloseTo(30.6, 5);
  });

  it('stops ffmpeg when the consumer breaks out early', async () => {
    let n = 0;
    for await (const _ of decodeFrames(STREET, { fps: 24, width: 320 })) if (++n === 3) break;
    expect(n).toBe(3);
  });

  it('reports a missing file as a StreamError naming the path', async () => {
    const missing = fileURLToPath(new URL('../../../footage/no-such-clip.mp4', import.meta.url));
    const err = await collect(decodeFrames(missing, { fps: 5, width: 320 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StreamError);
    expect((err as Error).message).toContain(missing);
  });

  it('reports a file that is not a video as a StreamError naming the path', async () => {
    const junk = join(mkdtempSync(join(tmpdir(), 'vigil-video-')), 'notes.mp4');
    writeFileSync(junk, 'these are not video bytes\n'.repeat(100));
    const err = await collect(decodeFrames(junk, { fps: 5, width: 320 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StreamError);
    expect((err as Error).message).toContain(junk);
    await expect(probeVideo(junk)).rejects.toThrow(StreamError);
  });
});

describe('probeVideo and encodeVideo', () => {
  it('probes street.mp4', async () => {
    const info = await probeVideo(STREET);
    expect(info).toMatchObject({ width: 640, height: 352, frames: 905 });
    expect(info.fps).toBeCloseTo(24, 0);
    expect(info.durationSeconds).toBeCloseTo(37.7, 1);
  });

  it('encodes rgb24 frames to an H.264 mp4 and .ts that decode back to the same size and count', async () => {
    const source = await collect(decodeFrames(STREET, { fps: 10, width: 320, maxFrames: 20 }));
    const dir = mkdtempSync(join(tmpdir(), 'vigil-encode-'));
    for (const name of ['clip.mp4', 'clip.ts']) {
      const out = join(dir, name);
      await encodeVideo(
        (async function* () {
          for (const f of source) yield f.data;
        })(),
        { width: 320, height: 176, fps: 10, out },
      );
      const info = await probeVideo(out);
      expect([info.width, info.height]).toEqual([320, 176]);
      expect(info.durationSeconds).toBeCloseTo(2, 0);
      const back = await collect(decodeFrames(out, { fps: 10, width: 320 }));
      expect(back.length).toBe(20);
      expect(meanAbsDiff(back[5]!.data, source[5]!.data)).toBeLessThan(6);
    }
  });
});
