/** Cell scores → the ensemble's map: optional 3×3 binomial smoothing (patchGaussian's kernel), raw score = the map's max. */
import type { ScoreMap } from '@vigil/core';
import { mapMax, smoothMap } from '../patchGaussian/anomalyMap.js';
import type { CellGrid } from './patchFeatures.js';

export function cellAnomalyMap(scores: Float32Array, grid: CellGrid, smooth: boolean): ScoreMap {
  const data = smooth ? smoothMap(scores, grid.cols, grid.rows, new Float32Array(scores.length)) : Float32Array.from(scores);
  return { cols: grid.cols, rows: grid.rows, data };
}

export { mapMax };
