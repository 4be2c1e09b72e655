import { describe, expect, it } from 'vitest';
import type { ScoreMap } from '@vigil/core';
import { extractRegions, frameRegions } from '../src/extractRegions.js';

function mapOf(cols: number, rows: number, cells: [x: number, y: number, v: number][]): ScoreMap {
  const data = new Float32Array(cols * rows).fill(0.2);
  for (const [x, y, v] of cells) data[y * cols + x] = v;
  return { cols, rows, data };
}

function block(x0: number, y0: number, w: number, h: number, v: number): [number, number, number][] {
  const cells: [number, number, number][] = [];
  for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) cells.push([x, y, v]);
  return cells;
}

describe('extractRegions', () => {
  it('finds two separate blobs as two regions with their boxes and peaks, highest first', () => {
    const map = mapOf(10, 10, [...block(1, 1, 2, 2, 1.5), [2, 2, 3], ...block(6, 5, 3, 4, 2)]);
    const regions = extractRegions(map);
    expect(regions).toHaveLength(2);
    expect(regions[0]).toEqual({ x: 0.1, y: 0.1, width: 0.2, height: 0.2, score: 3 });
    expect(regions[1]!.x).toBeCloseTo(0.6);
    expect(regions[1]!.y).toBeCloseTo(0.5);
    expect(regions[1]!.width).toBeCloseTo(0.3);
    expect(regions[1]!.height).toBeCloseTo(0.4);
    expect(regions[1]!.score).toBe(2);
  });

  it('drops components smaller than minCells', () => {
    const map = mapOf(10, 10, [[0, 9, 5], ...block(4, 4, 2, 2, 1.2)]);
    const regions = extractRegions(map, { minCells: 2 });
    expect(regions).toHaveLength(1);
    expect(regions[0]!.score).toBeCloseTo(1.2);
    expect(extractRegions(map)).toHaveLength(2);
  });

  it('joins fragments of one object across a one-cell gap, unless closing is off', () => {
    const map = mapOf(10, 6, [...block(1, 1, 2, 3, 1.4), ...block(4, 1, 2, 3, 1.1)]);
    const joined = extractRegions(map);
    expect(joined).toHaveLength(1);
    expect(joined[0]!.x).toBeCloseTo(0.1);
    expect(joined[0]!.width).toBeCloseTo(0.5);
    expect(joined[0]!.score).toBeCloseTo(1.4);
    expect(extractRegions(map, { close: false })).toHaveLength(2);
  });

  it('treats cells touching only at a corner as one component (8-connectivity)', () => {
    const map = mapOf(5, 5, [
      [1, 1, 2],
      [2, 2, 2],
    ]);
    expect(extractRegions(map, { close: false })).toHaveLength(1);
  });

  it('normalises boxes to the frame when the grid covers only part of it', () => {
    // 40 × 22 cells of 8 px cover 320 × 176 of a 320 × 180 frame.
    const map = mapOf(40, 22, block(20, 11, 4, 11, 1.5));
    const [region] = extractRegions(map, { frame: { width: 320, height: 180 }, coveredWidth: 320, coveredHeight: 176 });
    expect(region!.x).toBeCloseTo(160 / 320);
    expect(region!.y).toBeCloseTo(88 / 180);
    expect(region!.width).toBeCloseTo(32 / 320);
    expect(region!.height).toBeCloseTo(88 / 180);
    expect(region!.y + region!.height).toBeLessThan(1);
  });

  it('respects a custom threshold and returns nothing for a quiet map', () => {
    const map = mapOf(8, 8, block(2, 2, 2, 2, 0.8));
    expect(extractRegions(map)).toEqual([]);
    expect(extractRegions(map, { threshold: 0.5 })).toHaveLength(1);
  });

  it('boxes a barely-detected object whole: cells above half the threshold around a seed give the extent', () => {
    const map = mapOf(10, 10, [...block(3, 3, 4, 3, 0.7), [4, 4, 1.1], [8, 8, 0.9]]);
    const [region, ...others] = extractRegions(map);
    expect(others).toEqual([]);
    expect(region!.x).toBeCloseTo(0.3);
    expect(region!.width).toBeCloseTo(0.4);
    expect(region!.height).toBeCloseTo(0.3);
    expect(region!.score).toBeCloseTo(1.1);
    expect(extractRegions(map, { extentThreshold: 1 })[0]!.width).toBeCloseTo(0.1);
  });
});

describe('frameRegions (what an alert frame carries)', () => {
  const grid = (values: Record<number, number>, cols = 6, rows = 4) => {
    const data = new Float32Array(cols * rows);
    for (const [i, v] of Object.entries(values)) data[Number(i)] = v;
    return { cols, rows, data };
  };

  it("is the map's regions when cells cross the threshold", () => {
    const map = grid({ 8: 1.5, 9: 1.2 });
    expect(frameRegions(map, 1.5)).toEqual(extractRegions(map, { threshold: 1 }));
  });

  it('points at the peak when the frame is over threshold but no cell is', () => {
    const map = grid({ 14: 0.8, 15: 0.5, 2: 0.1 });
    const regions = frameRegions(map, 1.3);
    expect(regions).toHaveLength(1);
    expect(regions[0]).toMatchObject({ x: 2 / 6, y: 2 / 4, score: 1.3 });
    expect(regions[0]!.width).toBeCloseTo(2 / 6);
  });

  it('is the whole frame for a flat map, and nothing for a frame under threshold', () => {
    expect(frameRegions(grid({}), 1.1)).toEqual([{ x: 0, y: 0, width: 1, height: 1, score: 1.1 }]);
    expect(frameRegions(grid({ 3: 0.7 }), 0.7)).toEqual([]);
  });
});
