/**
 * Autoencoder post-processing, as anomalib's anomaly_map: per-pixel error → 3 × 3 box smoothing at
 * net resolution (one noisy pixel is not an object) → mean over each cell's 2 × 2 net pixels →
 * less the error that cell shows on the training frames (cellStats.ts: a detailed façade is always
 * rebuilt worse than asphalt; what matters is more error than *that place* usually shows) →
 * the ensemble's 3 × 3 binomial cell smoothing. The frame's raw score is the map's maximum, which
 * after the smoothings is a local top-k mean of the error rather than one pixel's.
 */
import type { ScoreMap } from '@vigil/core';
import { cellAnomalyMap } from '../features/cellMap.js';
import { pixelsToCells, type NetGrid } from '../tinyConvNet/frameImage.js';
import { standardise, type CellStats } from '../tinyConvNet/cellStats.js';

/** 3 × 3 mean over the first `rows` × `cols` values of a row-major array with row stride `width`; the rest is left 0. */
export function boxSmooth3(src: Float32Array, width: number, rows: number, cols: number, out = new Float32Array(src.length)): Float32Array {
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) {
      let s = 0,
        n = 0;
      for (let yy = Math.max(0, y - 1); yy <= Math.min(rows - 1, y + 1); yy++) {
        for (let xx = Math.max(0, x - 1); xx <= Math.min(cols - 1, x + 1); xx++) {
          s += src[yy * width + xx]!;
          n++;
        }
      }
      out[y * width + x] = s / n;
    }
  }
  return out;
}

export function errorToCells(pixelError: Float32Array, grid: NetGrid, smooth: boolean): Float32Array {
  const pixels = smooth ? boxSmooth3(pixelError, grid.width, grid.imageHeight, grid.imageWidth) : pixelError;
  return pixelsToCells(pixels, grid);
}

export function errorToMap(cells: Float32Array, grid: NetGrid, stats: CellStats | null, smooth: boolean): ScoreMap {
  return cellAnomalyMap(stats ? standardise(cells, stats) : cells, grid.cells, smooth);
}
