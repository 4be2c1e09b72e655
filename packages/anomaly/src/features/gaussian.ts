/**
 * Multivariate Gaussians with Ledoit–Wolf shrinkage, for PaDiM (one per cell) and imageGaussian (one per
 * camera). Ledoit & Wolf, "A well-conditioned estimator for large-dimensional covariance matrices", 2004:
 * Σ̂ = (1 − δ)·S + δ·μ·I with μ = tr(S)/d and δ = min(β, γ)/γ, β = (Σₖ‖xₖ − x̄‖⁴/n − ‖S‖²_F)/(d·n),
 * γ = ‖S − μI‖²_F/d (the estimator of scikit-learn's ledoit_wolf). Everything comes from additive moments
 * (n, Σx, Σxxᵀ, Σ‖x‖²x, Σ‖x‖⁴) so samples are streamed, never stored, and neighbouring cells pool by
 * summing. The fitted Σ is kept as its packed Cholesky factor C (Σ = CCᵀ): the Mahalanobis distance
 * √(zᵀΣ⁻¹z) = ‖C⁻¹z‖ is one forward substitution, d(d+1)/2 multiply-adds.
 */

export class GaussianMoments {
  n = 0;
  readonly sum: Float64Array;
  /** Σ x xᵀ, full d × d (symmetric). */
  readonly outer: Float64Array;
  /** Σ ‖x‖² x. */
  readonly normWeighted: Float64Array;
  /** Σ ‖x‖⁴. */
  quartic = 0;

  constructor(readonly d: number) {
    this.sum = new Float64Array(d);
    this.outer = new Float64Array(d * d);
    this.normWeighted = new Float64Array(d);
  }

  /** Adds the sample `x[offset .. offset + d)`; only the lower triangle of `outer` is accumulated. */
  add(x: ArrayLike<number>, offset = 0): void {
    const { d, sum, outer, normWeighted } = this;
    let sq = 0;
    for (let i = 0; i < d; i++) {
      const xi = x[offset + i]!;
      sum[i]! += xi;
      sq += xi * xi;
      const row = i * d;
      for (let j = 0; j <= i; j++) outer[row + j]! += xi * x[offset + j]!;
    }
    for (let i = 0; i < d; i++) normWeighted[i]! += sq * x[offset + i]!;
    this.quartic += sq * sq;
    this.n++;
  }

  addAll(other: GaussianMoments): void {
    this.n += other.n;
    this.quartic += other.quartic;
    for (let i = 0; i < this.d; i++) {
      this.sum[i]! += other.sum[i]!;
      this.normWeighted[i]! += other.normWeighted[i]!;
    }
    for (let i = 0; i < this.outer.length; i++) this.outer[i]! += other.outer[i]!;
  }
}

export interface ShrunkGaussian {
  mean: Float64Array;
  /** Full d × d. */
  covariance: Float64Array;
  shrinkage: number;
}

/**
 * Mean and Ledoit–Wolf covariance from moments; `ridge` (relative to the mean variance) is added to the
 * diagonal, as PaDiM adds 0.01·I, so a constant feature never makes Σ singular.
 */
export function ledoitWolf(m: GaussianMoments, ridge = 0.01): ShrunkGaussian {
  const { d, n } = m;
  if (n < 2) throw new RangeError(`a Gaussian needs at least 2 samples, got ${n}`);
  const mean = new Float64Array(d);
  for (let i = 0; i < d; i++) mean[i] = m.sum[i]! / n;
  const S = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      const v = m.outer[i * d + j]! / n - mean[i]! * mean[j]!;
      S[i * d + j] = v;
      S[j * d + i] = v;
    }
  }
  let trace = 0,
    frob = 0;
  for (let i = 0; i < d; i++) trace += S[i * d + i]!;
  for (let k = 0; k < S.length; k++) frob += S[k]! * S[k]!;
  const mu = trace / d;
  // Σₖ‖xₖ − x̄‖⁴ expanded in the raw moments: with a = ‖x‖², b = xᵀx̄, c = ‖x̄‖²,
  // Σ(a − 2b + c)² = Σa² + 4Σb² + nc² − 4Σab + 2cΣa − 4cΣb.
  let c = 0,
    sumB = 0,
    sumAB = 0,
    sumBB = 0,
    sumA = 0;
  for (let i = 0; i < d; i++) {
    c += mean[i]! * mean[i]!;
    sumB += m.sum[i]! * mean[i]!;
    sumAB += m.normWeighted[i]! * mean[i]!;
    sumA += m.outer[i * d + i]!;
    let row = 0;
    for (let j = 0; j < d; j++) row += (j <= i ? m.outer[i * d + j]! : m.outer[j * d + i]!) * mean[j]!;
    sumBB += mean[i]! * row;
  }
  const quarticCentred = Math.max(0, m.quartic + 4 * sumBB + n * c * c - 4 * sumAB + 2 * c * sumA - 4 * c * sumB);
  const beta = Math.max(0, (quarticCentred / n - frob) / (d * n));
  const gamma = (frob - 2 * mu * trace + d * mu * mu) / d;
  const shrinkage = gamma > 0 ? Math.min(beta, gamma) / gamma : 1;
  const covariance = new Float64Array(d * d);
  const floor = ridge * (mu > 0 ? mu : 1);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) covariance[i * d + j] = (1 - shrinkage) * S[i * d + j]!;
    covariance[i * d + i]! += shrinkage * mu + floor;
  }
  return { mean, covariance, shrinkage };
}

/** Packed lower-triangular Cholesky factor (row i holds i + 1 entries) of a full symmetric positive-definite matrix. */
export function choleskyPacked(a: Float64Array, d: number): Float32Array {
  const L = new Float64Array((d * (d + 1)) / 2);
  const rowStart = (i: number) => (i * (i + 1)) / 2;
  for (let i = 0; i < d; i++) {
    const ri = rowStart(i);
    for (let j = 0; j <= i; j++) {
      const rj = rowStart(j);
      let s = a[i * d + j]!;
      for (let k = 0; k < j; k++) s -= L[ri + k]! * L[rj + k]!;
      if (i === j) {
        if (!(s > 0)) throw new RangeError(`matrix is not positive definite (pivot ${i} is ${s})`);
        L[ri + i] = Math.sqrt(s);
      } else {
        L[ri + j] = s / L[rj + j]!;
      }
    }
  }
  return Float32Array.from(L);
}

/**
 * √((x − mean)ᵀ Σ⁻¹ (x − mean)) for Σ = CCᵀ given packed C, by forward substitution. `x` and `mean`
 * are read from their offsets; `scratch` holds d values.
 */
export function mahalanobis(x: ArrayLike<number>, xOffset: number, mean: ArrayLike<number>, meanOffset: number, chol: ArrayLike<number>, cholOffset: number, d: number, scratch: Float64Array): number {
  let total = 0;
  let r = cholOffset;
  for (let i = 0; i < d; i++) {
    let s = x[xOffset + i]! - mean[meanOffset + i]!;
    for (let k = 0; k < i; k++) s -= chol[r + k]! * scratch[k]!;
    const y = s / chol[r + i]!;
    scratch[i] = y;
    total += y * y;
    r += i + 1;
  }
  return Math.sqrt(total);
}

/** Deterministic PRNG (mulberry32), so a member's random channel subset or projection is reproducible from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `k` distinct indices of 0..n−1, sorted, drawn with `seed`. */
export function randomSubset(n: number, k: number, seed: number): number[] {
  const rand = seededRandom(seed);
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  return idx.slice(0, Math.min(k, n)).sort((a, b) => a - b);
}
