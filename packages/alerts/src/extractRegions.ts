/**
 * Anomaly map → regions: hysteresis threshold (cells ≥ threshold seed a region, cells ≥ a lower
 * extent threshold give its extent), morphological closing (3×3 dilation then erosion) so fragments of
 * one object join, 8-connected components, tiny components dropped, one box per component normalised
 * to 0–1 of the frame, carrying its peak score; highest score first.
 */
import type { Region, ScoreMap } from '@vigil/core';

export interface ExtractRegionsOptions {
  /** Cells scoring ≥ threshold are anomalous. Default 1 (a calibrated map's threshold). */
  threshold?: number;
  /**
   * Hysteresis: a region is a connected set of cells ≥ extentThreshold holding at least one cell ≥
   * `threshold`, so a barely-detected object is boxed whole, not just its peak. Default threshold / 2.
   */
  extentThreshold?: number;
  /**
   * The box spans the region's cells ≥ max(extentThreshold, peakFraction × peak): a strong detection is
   * boxed by its core, not by the halo that smoothing spreads around it. Default 0.5.
   */
  peakFraction?: number;
  /** Components with fewer cells over threshold are dropped. Default 1. */
  minCells?: number;
  /** Join fragments up to two empty cells apart by a 3×3 closing. Default true. */
  close?: boolean;
  /** Frame size in pixels; without it boxes are normalised to the map itself. */
  frame?: { width: number; height: number };
  /** Pixels of the frame the map covers from the top-left, when the grid does not divide the frame. Default: the frame. */
  coveredWidth?: number;
  coveredHeight?: number;
}

export function extractRegions(map: ScoreMap, options: ExtractRegionsOptions = {}): Region[] {
  const { cols, rows, data } = map;
  if (data.length !== cols * rows) throw new RangeError(`map data has ${data.length} values, expected ${cols}x${rows}`);
  const threshold = options.threshold ?? 1;
  const minCells = options.minCells ?? 1;
  const extentThreshold = Math.min(threshold, options.extentThreshold ?? threshold / 2);
  const within = new Uint8Array(cols * rows);
  for (let i = 0; i < within.length; i++) within[i] = data[i]! >= extentThreshold ? 1 : 0;
  const mask = options.close === false ? within : closing(within, cols, rows);

  // Cell size as a fraction of the frame.
  const frameW = options.frame?.width,
    frameH = options.frame?.height;
  const cellW = frameW ? (options.coveredWidth ?? frameW) / cols / frameW : 1 / cols;
  const cellH = frameH ? (options.coveredHeight ?? frameH) / rows / frameH : 1 / rows;

  const label = new Int32Array(cols * rows).fill(-1);
  const stack: number[] = [];
  const members: number[] = [];
  const peakFraction = options.peakFraction ?? 0.5;
  const regions: Region[] = [];
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || label[start] !== -1) continue;
    let peak = -Infinity,
      count = 0;
    members.length = 0;
    label[start] = start;
    stack.push(start);
    while (stack.length) {
      const i = stack.pop()!;
      const x = i % cols,
        y = (i - x) / cols;
      // Closing only decides what is connected; the box and peak come from the cells themselves.
      if (within[i]) {
        members.push(i);
        if (data[i]! >= threshold) count++;
        if (data[i]! > peak) peak = data[i]!;
      }
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= rows) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= cols) continue;
          const j = yy * cols + xx;
          if (mask[j] && label[j] === -1) {
            label[j] = start;
            stack.push(j);
          }
        }
      }
    }
    if (count === 0 || count < minCells) continue;
    const level = Math.max(extentThreshold, peakFraction * peak);
    let x0 = cols,
      y0 = rows,
      x1 = -1,
      y1 = -1;
    for (const i of members) {
      if (data[i]! < level) continue;
      const x = i % cols,
        y = (i - x) / cols;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
    regions.push({ x: x0 * cellW, y: y0 * cellH, width: (x1 - x0 + 1) * cellW, height: (y1 - y0 + 1) * cellH, score: peak });
  }
  return regions.sort((a, b) => b.score - a.score);
}

/** 3×3 closing; outside the map counts as set during erosion, so closing never eats into the border. */
function closing(mask: Uint8Array, cols: number, rows: number): Uint8Array {
  const dilated = new Uint8Array(mask.length);
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) {
      let v = 0;
      for (let dy = -1; dy <= 1 && !v; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= rows) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx >= 0 && xx < cols && mask[yy * cols + xx]) {
            v = 1;
            break;
          }
        }
      }
      dilated[y * cols + x] = v;
    }
  }
  const closed = new Uint8Array(mask.length);
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) {
      let v = 1;
      for (let dy = -1; dy <= 1 && v; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= rows) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx >= 0 && xx < cols && !dilated[yy * cols + xx]) {
            v = 0;
            break;
          }
        }
      }
      closed[y * cols + x] = v;
    }
  }
  return closed;
}

/**
 * The regions an alert frame carries: the map's regions over threshold, or, when the frame is over its
 * threshold but no cell is (an image-level member, or evidence spread thin), the region around the map's
 * peak — cells within half of the peak, connected to it: every alert points somewhere. Below threshold
 * a frame gets only the regions its cells make.
 */
export function frameRegions(map: ScoreMap, frameScore: number, options: Omit<ExtractRegionsOptions, 'threshold' | 'extentThreshold'> = {}): Region[] {
  const regions = extractRegions(map, { ...options, threshold: 1 });
  if (regions.length > 0 || frameScore < 1) return regions;
  let peak = 0;
  for (const v of map.data) if (v > peak) peak = v;
  if (!(peak > 0)) {
    // A flat map: the whole covered frame.
    const w = options.frame ? (options.coveredWidth ?? options.frame.width) / options.frame.width : 1;
    const h = options.frame ? (options.coveredHeight ?? options.frame.height) / options.frame.height : 1;
    return [{ x: 0, y: 0, width: w, height: h, score: frameScore }];
  }
  return extractRegions(map, { ...options, threshold: peak, extentThreshold: peak / 2 })
    .slice(0, 1)
    .map((r) => ({ ...r, score: frameScore }));
}
