/** PatchCore post-processing (§3.3): nearest-neighbour distances per cell → smooth (paper: Gaussian, σ = 4 px) → map; raw = its max. */
export { cellAnomalyMap, mapMax } from '../features/cellMap.js';
