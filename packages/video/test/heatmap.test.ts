import { describe, expect, it } from 'vitest';
import type { ScoreMap } from '@vigil/core';
import { renderHeatmap, turbo } from '../src/heatmap.js';

const map = (cols: number, rows: number, values: number[]): ScoreMap => ({ cols, rows, data: Float32Array.from(values) });
const pixel = (rgb: Uint8Array, width: number, x: number, y: number) => Array.from(rgb.subarray((y * width + x) * 3, (y * width + x) * 3 + 3));
/** Red minus blue: Turbo runs from blue (cold) to red (hot). */
const warmth = ([r, , b]: number[]) => r! - b!;

describe('renderHeatmap', () => {
  it('turns a 2×2 map into a frame-sized RGB image, cold where the score is low and hot over the threshold', () => {
    const out = renderHeatmap(map(2, 2, [0, 0.5, 1, 2]), 40, 20);
    expect(out).toHaveLength(40 * 20 * 3);
    const zero = pixel(out, 40, 2, 2),
      half = pixel(out, 40, 37, 2),
      one = pixel(out, 40, 2, 17),
      two = pixel(out, 40, 37, 17);
    expect(zero).toEqual(turbo(0));
    // Half the threshold is still blue; the threshold itself is warm (more red than blue); twice it is hotter still.
    expect(warmth(half)).toBeLessThan(0);
    expect(warmth(one)).toBeGreaterThan(100);
    expect(one[1]).toBeGreaterThan(120); // yellow-orange, not yet dark red
    expect(warmth(two)).toBeGreaterThan(0);
    expect(two[1]).toBeLessThan(one[1]!);
  });

  it('interpolates between cells rather than drawing blocks', () => {
    const out = renderHeatmap(map(2, 1, [0, 2]), 100, 10);
    const colours = [5, 30, 50, 70, 95].map((x) => pixel(out, 100, x, 5).join(','));
    // Five different colours from the cold cell's centre to the hot one's, the ends being the cells' own.
    expect(new Set(colours).size).toBe(5);
    expect(colours[0]).toBe(turbo(0).join(','));
    expect(colours[4]).toBe(turbo(1).join(','));
  });

  it('leaves pixels outside the covered area cold', () => {
    const out = renderHeatmap(map(1, 1, [3]), 30, 20, { width: 20, height: 10 });
    expect(warmth(pixel(out, 30, 5, 5))).toBeGreaterThan(0);
    expect(pixel(out, 30, 25, 5)).toEqual(turbo(0));
    expect(pixel(out, 30, 5, 15)).toEqual(turbo(0));
  });

  it('blends over the frame: normal areas keep most of the picture, hot areas take the colour', () => {
    const frame = new Uint8Array(20 * 10 * 3).fill(200);
    const out = renderHeatmap(map(2, 1, [0, 3]), 20, 10, undefined, { frame });
    const cold = pixel(out, 20, 1, 5),
      hot = pixel(out, 20, 18, 5);
    // 35 % of 0.75 of the dark-blue colour over a grey 200: still clearly the grey frame.
    for (const c of cold) expect(Math.abs(c - 200)).toBeLessThan(160);
    expect(cold[0]).toBeGreaterThan(100);
    // Hot: mostly the dark red of the colormap's top end.
    expect(warmth(hot)).toBeGreaterThan(60);
  });

  it('refuses a map whose data does not match its grid, or a frame of another size', () => {
    expect(() => renderHeatmap({ cols: 3, rows: 2, data: new Float32Array(5) }, 10, 10)).toThrow(/5 values, expected 3x2/);
    expect(() => renderHeatmap(map(1, 1, [1]), 10, 10, undefined, { frame: new Uint8Array(12) })).toThrow(/12 bytes/);
  });
});
