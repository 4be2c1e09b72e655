import { describe, expect, it } from 'vitest';
import { FrameReassembler } from '../src/index.js';

/** mulberry32: a small seeded PRNG so a failing chunking can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function makeFrames(count: number, frameBytes: number, random: () => number): Uint8Array[] {
  return Array.from({ length: count }, () => Uint8Array.from({ length: frameBytes }, () => Math.floor(random() * 256)));
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

describe('FrameReassembler', () => {
  it('reproduces the exact frames whatever the chunking (1-byte, partial and multi-frame chunks)', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const random = rng(seed);
      const frameBytes = 1 + Math.floor(random() * 300);
      const frames = makeFrames(1 + Math.floor(random() * 12), frameBytes, random);
      const stream = concat(frames);
      const reassembler = new FrameReassembler(frameBytes);
      const out: Uint8Array[] = [];
      let pos = 0;
      while (pos < stream.length) {
        const kind = random();
        // A mix of single bytes, sub-frame pieces and runs of several frames.
        const size = kind < 0.2 ? 1 : kind < 0.6 ? 1 + Math.floor(random() * frameBytes) : 1 + Math.floor(random() * frameBytes * 4);
        out.push(...reassembler.push(stream.subarray(pos, pos + size)));
        pos += size;
      }
      expect(out, `seed ${seed}`).toEqual(frames);
      expect(reassembler.pending, `seed ${seed}`).toBe(0);
    }
  });

  it('keeps the remainder of an incomplete frame as pending until it is completed', () => {
    const r = new FrameReassembler(4);
    expect(r.push(Uint8Array.of(1, 2, 3, 4, 5, 6))).toEqual([Uint8Array.of(1, 2, 3, 4)]);
    expect(r.pending).toBe(2);
    expect(r.push(Uint8Array.of(7))).toEqual([]);
    expect(r.pending).toBe(3);
    expect(r.push(Uint8Array.of(8, 9))).toEqual([Uint8Array.of(5, 6, 7, 8)]);
    expect(r.pending).toBe(1);
  });

  it('returns copies that stay intact when the source chunk is reused', () => {
    const r = new FrameReassembler(3);
    const chunk = Buffer.from([1, 2, 3, 4, 5, 6]);
    const frames = r.push(chunk);
    chunk.fill(0);
    expect(frames).toEqual([Uint8Array.of(1, 2, 3), Uint8Array.of(4, 5, 6)]);
  });

  it('rejects a non-positive frame size', () => {
    expect(() => new FrameReassembler(0)).toThrow(RangeError);
  });
});
