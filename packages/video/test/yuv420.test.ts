/** YUV 4:2:0 transport of real footage: half the bytes, and what the detectors measure survives up to rounding. */
import { describe, expect, it } from 'vitest';
import { decodeFrames, packYuv420, unpackYuv420, yuv420Bytes } from '../src/index.js';

const FOOTAGE = new URL('../../../footage/street.mp4', import.meta.url).pathname;

async function firstFrame(width: number) {
  for await (const f of decodeFrames(FOOTAGE, { fps: 5, width, maxFrames: 1 })) return f;
  throw new Error('no frame');
}

describe('YUV 4:2:0 frames', () => {
  it('takes half the bytes of rgb24, and keeps luma and each 2 × 2 block colour within rounding', async () => {
    const { data, width, height } = await firstFrame(320);
    const packed = packYuv420(data, width, height);
    expect(packed.length).toBe(yuv420Bytes(width, height));
    expect(packed.length).toBe((width * height * 3) / 2);
    const rgb = unpackYuv420(packed, width, height);
    let lumaErr = 0,
      lumaSum = 0,
      lumaOver1 = 0,
      blockSum = 0,
      pixelErr = 0;
    for (let i = 0; i < width * height; i++) {
      const luma = (p: Uint8Array) => 0.299 * p[i * 3]! + 0.587 * p[i * 3 + 1]! + 0.114 * p[i * 3 + 2]!;
      const e = Math.abs(luma(rgb) - luma(data));
      lumaErr = Math.max(lumaErr, e);
      lumaSum += e;
      if (e > 1) lumaOver1++;
      for (let c = 0; c < 3; c++) pixelErr = Math.max(pixelErr, Math.abs(rgb[i * 3 + c]! - data[i * 3 + c]!));
    }
    for (let y = 0; y < height; y += 2) {
      for (let x = 0; x < width; x += 2) {
        for (let c = 0; c < 3; c++) {
          const at = (p: Uint8Array) => (p[(y * width + x) * 3 + c]! + p[(y * width + x + 1) * 3 + c]! + p[((y + 1) * width + x) * 3 + c]! + p[((y + 1) * width + x + 1) * 3 + c]!) / 4;
          blockSum += Math.abs(at(rgb) - at(data));
        }
      }
    }
    // Rounding of Y, Cb, Cr and of the result; where averaged colour leaves the RGB cube a little more.
    const pixels = width * height;
    expect(lumaSum / pixels).toBeLessThan(0.4);
    expect(lumaOver1 / pixels).toBeLessThan(0.001);
    expect(lumaErr).toBeLessThanOrEqual(5);
    expect(blockSum / (pixels * 0.75)).toBeLessThan(0.6);
    // Single pixels do lose colour detail: the transport is not the identity.
    expect(pixelErr).toBeGreaterThan(3);
  });

  it('handles odd sizes and names a frame of the wrong size', () => {
    const rgb = new Uint8Array(5 * 3 * 3).map((_, i) => (i * 37) % 256);
    const packed = packYuv420(rgb, 5, 3);
    expect(packed.length).toBe(15 + 2 * 3 * 2);
    expect(unpackYuv420(packed, 5, 3).length).toBe(45);
    expect(() => unpackYuv420(packed, 6, 3)).toThrow(/not a 6x3 YUV 4:2:0 frame/);
    expect(() => packYuv420(rgb, 4, 3)).toThrow(/not 4x3 rgb24/);
  });
});
