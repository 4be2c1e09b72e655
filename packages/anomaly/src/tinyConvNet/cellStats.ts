/**
 * Per-cell standardisation of a member's cell scores by what each cell scored on the training frames:
 * z = (s − μ_cell) / σ_cell. A fixed camera sees the same things in the same places, so, as PaDiM models
 * each location apart, "unusual for this place" beats "unusual for any place": a detailed façade or a
 * bright sign scores high in every frame and must not outrank a real anomaly on the road.
 * 'mean' only subtracts μ_cell; 'meanStd' also divides by σ_cell, which also discounts the busy lanes
 * (on street.mp4 that cost the autoencoder its margin over passing traffic, so 'mean' is the default).
 */
export type CellNormalisation = 'none' | 'mean' | 'meanStd';

export interface CellStats {
  mean: Float32Array;
  /** Standard deviation per cell, floored (see cellStats). */
  std: Float32Array;
}

/**
 * Mean and standard deviation of each cell's score over the training frames. The deviation is floored
 * at `floor` × its median over cells: a cell that never changed in training must not turn codec noise
 * into a large z.
 */
export function cellStats(cellScores: readonly Float32Array[], mode: Exclude<CellNormalisation, 'none'>, floor: number): CellStats {
  const n = cellScores[0]!.length,
    N = cellScores.length;
  const mean = new Float32Array(n),
    std = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0,
      s2 = 0;
    for (const e of cellScores) {
      s += e[i]!;
      s2 += e[i]! * e[i]!;
    }
    const m = s / N;
    mean[i] = m;
    std[i] = Math.sqrt(Math.max(0, s2 / N - m * m) * (N / Math.max(1, N - 1)));
  }
  if (mode === 'mean') return { mean, std: std.fill(1) };
  const median = Float32Array.from(std).sort()[n >> 1]!;
  for (let i = 0; i < n; i++) std[i] = Math.max(std[i]!, floor * median, 1e-6);
  return { mean, std };
}

export function standardise(scores: Float32Array, stats: CellStats, out = new Float32Array(scores.length)): Float32Array {
  for (let i = 0; i < out.length; i++) out[i] = (scores[i]! - stats.mean[i]!) / stats.std[i]!;
  return out;
}
