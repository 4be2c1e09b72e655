/**
 * Greedy coreset subsampling (PatchCore §3.2, Algorithm 1; Sener & Savarese 2018): repeatedly take the
 * patch farthest from the bank chosen so far (k-center greedy), so the bank covers the feature space with
 * far fewer patches. Distances are measured after a random Gaussian projection to a few dimensions
 * (Johnson–Lindenstrauss, as the paper does for speed).
 */
import { seededRandom } from '../features/gaussian.js';

export function randomProjection(features: Float32Array, d: number, k: number, seed: number): Float32Array {
  const rand = seededRandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const P = Float32Array.from({ length: d * k }, () => gauss() / Math.sqrt(k));
  const n = features.length / d;
  const out = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let t = 0; t < d; t++) s += features[i * d + t]! * P[t * k + j]!;
      out[i * k + j] = s;
    }
  }
  return out;
}

/** Indices of `m` patches of `projected` (n × k) chosen by k-center greedy, starting from a seeded random patch. */
export function greedyCoreset(projected: Float32Array, k: number, m: number, seed: number): number[] {
  const n = projected.length / k;
  if (m >= n) return Array.from({ length: n }, (_, i) => i);
  const minDist = new Float32Array(n).fill(Infinity);
  const chosen: number[] = [];
  let next = Math.floor(seededRandom(seed)() * n);
  for (let c = 0; c < m; c++) {
    chosen.push(next);
    const o = next * k;
    let far = -1,
      farDist = -1;
    for (let i = 0; i < n; i++) {
      let s = 0;
      const p = i * k;
      for (let j = 0; j < k; j++) {
        const diff = projected[p + j]! - projected[o + j]!;
        s += diff * diff;
      }
      const dmin = s < minDist[i]! ? (minDist[i] = s) : minDist[i]!;
      if (dmin > farDist) {
        farDist = dmin;
        far = i;
      }
    }
    next = far;
  }
  return chosen;
}
