/**
 * Deep SVDD post-processing: the squared distance of each cell's patch to the centre is already on the
 * ensemble's cell grid (one stride-2 conv on 2 × 2 net pixels per cell) → crop the padding →
 * standardised per cell by its distances on the training frames (cellStats.ts: one centre serves
 * every place, and a static oddity such as a sign sits far from it in every frame) → 3 × 3 binomial
 * smoothing; the frame's raw score is the map's maximum.
 */
import type { ScoreMap } from '@vigil/core';
import { cellAnomalyMap } from '../features/cellMap.js';
import type { NetGrid } from '../tinyConvNet/frameImage.js';
import { standardise, type CellStats } from '../tinyConvNet/cellStats.js';

export function distancesToCells(distances: Float32Array, grid: NetGrid): Float32Array {
  const { cols, rows } = grid.cells;
  const stride = grid.width / 2;
  const cells = new Float32Array(cols * rows);
  for (let y = 0; y < rows; y++) for (let x = 0; x < cols; x++) cells[y * cols + x] = distances[y * stride + x]!;
  return cells;
}

export function distancesToMap(cells: Float32Array, grid: NetGrid, stats: CellStats | null, smooth: boolean): ScoreMap {
  return cellAnomalyMap(stats ? standardise(cells, stats) : cells, grid.cells, smooth);
}
