/** PaDiM post-processing: cell distances are already on the ensemble's cell grid → smooth (PaDiM: Gaussian, σ = 4 px) → map; raw = its max. */
export { cellAnomalyMap, mapMax } from '../features/cellMap.js';
