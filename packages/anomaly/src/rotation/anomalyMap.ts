/**
 * Rotation post-processing: 1 − mean true-rotation confidence per 16-px block → each block's value on
 * its 2 × 2 cells of the ensemble's grid → standardised per cell by the training frames' scores
 * (cellStats.ts: uniform asphalt is ambiguous under rotation in every frame) → 3 × 3 binomial
 * smoothing; the frame's raw score is the map's maximum.
 */
import type { ScoreMap } from '@vigil/core';
import { cellAnomalyMap } from '../features/cellMap.js';
import type { NetGrid } from '../tinyConvNet/frameImage.js';
import { standardise, type CellStats } from '../tinyConvNet/cellStats.js';
import { ROTATION_STRIDE } from './model.js';

/** Cells per output block, each way: a block is 4 net pixels, a cell 2. */
const CELLS_PER_BLOCK = 2;

export function confidenceToCells(confidence: Float32Array, grid: NetGrid): Float32Array {
  const { cols, rows } = grid.cells;
  const bw = grid.width / ROTATION_STRIDE;
  const cells = new Float32Array(cols * rows);
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) cells[y * cols + x] = 1 - confidence[Math.floor(y / CELLS_PER_BLOCK) * bw + Math.floor(x / CELLS_PER_BLOCK)]!;
  }
  return cells;
}

export function rotationMap(cells: Float32Array, grid: NetGrid, stats: CellStats | null, smooth: boolean): ScoreMap {
  return cellAnomalyMap(stats ? standardise(cells, stats) : cells, grid.cells, smooth);
}
