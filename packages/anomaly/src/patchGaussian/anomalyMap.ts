/**
 * PatchGaussian post-processing, as in anomalib's anomaly_map: patch distances → "upsample" to the
 * stride-sized cell grid (each cell the mean of the overlapping patches that contain it, so the map
 * tiles the covered pixels exactly) → smooth with a 3×3 binomial kernel. The frame's raw score is
 * the maximum of the smoothed map: smoothing makes that max robust to a single noisy patch.
 */
import type { ScoreMap } from '@vigil/core';
import type { PatchGrid } from './model.js';

export function patchesToCells(distances: Float32Array, grid: PatchGrid, out: Float32Array): Float32Array {
  const { cols, rows, cellCols, cellRows, k } = grid;
  for (let cy = 0; cy < cellRows; cy++) {
    const r0 = Math.max(0, cy - k + 1),
      r1 = Math.min(rows - 1, cy);
    for (let cx = 0; cx < cellCols; cx++) {
      const c0 = Math.max(0, cx - k + 1),
        c1 = Math.min(cols - 1, cx);
      let sum = 0;
      for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) sum += distances[r * cols + c]!;
      out[cy * cellCols + cx] = sum / ((r1 - r0 + 1) * (c1 - c0 + 1));
    }
  }
  return out;
}

const KERNEL = [1, 2, 1];

/** 3×3 binomial smoothing, renormalised at the borders so edges are not dimmed. */
export function smoothMap(src: Float32Array, cols: number, rows: number, out: Float32Array): Float32Array {
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) {
      let sum = 0,
        weight = 0;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= rows) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= cols) continue;
          const w = KERNEL[dy + 1]! * KERNEL[dx + 1]!;
          sum += w * src[yy * cols + xx]!;
          weight += w;
        }
      }
      out[y * cols + x] = sum / weight;
    }
  }
  return out;
}

export function anomalyMap(distances: Float32Array, grid: PatchGrid, smooth: boolean): ScoreMap {
  const n = grid.cellCols * grid.cellRows;
  const cells = patchesToCells(distances, grid, new Float32Array(n));
  const data = smooth ? smoothMap(cells, grid.cellCols, grid.cellRows, new Float32Array(n)) : cells;
  return { cols: grid.cellCols, rows: grid.cellRows, data };
}

export function mapMax(map: ScoreMap): number {
  let m = -Infinity;
  for (const v of map.data) if (v > m) m = v;
  return m;
}
