import { describe, expect, it } from 'vitest';
import { gaussianBlur, OpticalFlow } from '../src/features/opticalFlow.js';

const W = 160,
  H = 96;

/** Smooth value noise shifted by (dx, dy): the whole picture moved by that much. */
function texture(dx = 0, dy = 0): Float32Array {
  const out = new Float32Array(W * H);
  const f = (x: number, y: number) => 128 + 50 * Math.sin(x * 0.21 + Math.cos(y * 0.13) * 2) + 40 * Math.cos(y * 0.17 - x * 0.05) + 25 * Math.sin((x + y) * 0.31);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) out[y * W + x] = f(x - dx, y - dy);
  return out;
}

const median = (a: Float32Array, inner: number) => {
  const v: number[] = [];
  for (let y = inner; y < H - inner; y++) for (let x = inner; x < W - inner; x++) v.push(a[y * W + x]!);
  return v.sort((p, q) => p - q)[v.length >> 1]!;
};

describe('pyramidal Lucas–Kanade flow', () => {
  it.each([
    [0.4, -0.3],
    [2.5, 1.5],
    [-6, 4],
  ])('recovers a global shift of (%d, %d) px to a tenth of a pixel', (dx, dy) => {
    const flow = new OpticalFlow().estimate(gaussianBlur(texture(), W, H, 0.7), gaussianBlur(texture(dx, dy), W, H, 0.7), W, H);
    expect(median(flow.u, 12)).toBeCloseTo(dx, 1);
    expect(median(flow.v, 12)).toBeCloseTo(dy, 1);
  });

  it('finds no motion between identical frames', () => {
    const img = texture();
    const flow = new OpticalFlow().estimate(img, img, W, H);
    expect(Math.max(...flow.u.map(Math.abs), ...flow.v.map(Math.abs))).toBeLessThan(1e-3);
  });

  it('refuses params it cannot run', () => {
    expect(() => new OpticalFlow({ levels: 0, window: 7, iterations: 2, blur: 0.7 })).toThrow(/invalid optical flow params/);
    expect(() => new OpticalFlow({ levels: 3, window: 6, iterations: 2, blur: 0.7 })).toThrow(/invalid optical flow params/);
  });
});
