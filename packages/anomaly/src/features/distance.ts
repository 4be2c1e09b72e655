/** Nearest-neighbour searches (PatchCore's bank, flowHistogram's places) compare vectors stored flat in Float32Arrays. */

/**
 * ‖a − b‖² over `d` dimensions of `a` from `ao` and `b` from `bo`, stopping early once it reaches
 * `bound`: a candidate already farther than the best so far need not be summed to the end (the result is
 * then some value ≥ bound).
 */
export function squaredDistanceBelow(a: Float32Array, ao: number, b: Float32Array, bo: number, d: number, bound: number): number {
  let s = 0;
  for (let k = 0; k < d && s < bound; k++) {
    const t = a[ao + k]! - b[bo + k]!;
    s += t * t;
  }
  return s;
}
