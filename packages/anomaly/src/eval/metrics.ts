/**
 * Detection figures of merit. Frame level: ROC AUC (the Mann–Whitney U statistic: the probability that
 * a random anomalous frame outscores a random normal one, ties counting one half) and average
 * precision (AP = Σₙ (Rₙ − Rₙ₋₁) Pₙ over distinct thresholds, as scikit-learn computes it).
 * Pixel level: ROC AUC over every test pixel, accumulated frame by frame into a fixed histogram so
 * that memory does not grow with the dataset (UCSD Ped2 alone has ~10⁸ test pixels).
 */
import type { FrameSize, ScoreMap } from '@vigil/core';

/** ROC AUC of `scores` against binary `labels` (true = anomalous); NaN when either class is empty. */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<boolean>): number {
  const order = sortedOrder(scores, labels);
  let pos = 0,
    neg = 0;
  for (let i = 0; i < labels.length; i++) labels[i] ? pos++ : neg++;
  if (pos === 0 || neg === 0) return NaN;
  // Sum of the positives' mid-ranks (ranks of a tied group share their mean) → Mann–Whitney U.
  let rankSum = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const midRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (labels[order[k]!]) rankSum += midRank;
    i = j + 1;
  }
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** Average precision of `scores` against `labels`; NaN when there are no positives. */
export function averagePrecision(scores: ArrayLike<number>, labels: ArrayLike<boolean>): number {
  const order = sortedOrder(scores, labels).reverse();
  let pos = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i]) pos++;
  if (pos === 0) return NaN;
  let tp = 0,
    fp = 0,
    prevRecall = 0,
    ap = 0;
  for (let i = 0; i < order.length; ) {
    // All frames with the same score cross the threshold together.
    let j = i;
    while (j < order.length && scores[order[j]!] === scores[order[i]!]) {
      labels[order[j]!] ? tp++ : fp++;
      j++;
    }
    const recall = tp / pos;
    ap += (recall - prevRecall) * (tp / (tp + fp));
    prevRecall = recall;
    i = j;
  }
  return ap;
}

/**
 * The share of anomalous frames found at the best threshold that flags at most `fpr` of the normal
 * ones (frames scoring strictly above it): a point of the ROC curve, where an operator would run it.
 * NaN when either class is empty.
 */
export function recallAtFalsePositiveRate(scores: ArrayLike<number>, labels: ArrayLike<boolean>, fpr: number): number {
  if (!(fpr >= 0 && fpr <= 1)) throw new RangeError(`false-positive rate must be in [0, 1], got ${fpr}`);
  if (scores.length !== labels.length) throw new RangeError(`${scores.length} scores for ${labels.length} labels`);
  const negatives: number[] = [],
    positives: number[] = [];
  for (let i = 0; i < labels.length; i++) (labels[i] ? positives : negatives).push(scores[i]!);
  if (negatives.length === 0 || positives.length === 0) return NaN;
  negatives.sort((a, b) => b - a);
  const allowed = Math.floor(fpr * negatives.length + 1e-9);
  // Strictly above the (allowed + 1)-th highest normal score: at most `allowed` normal frames pass, ties included.
  const threshold = allowed >= negatives.length ? -Infinity : negatives[allowed]!;
  return positives.filter((s) => s > threshold).length / positives.length;
}

function sortedOrder(scores: ArrayLike<number>, labels: ArrayLike<boolean>): number[] {
  if (scores.length !== labels.length) throw new RangeError(`${scores.length} scores but ${labels.length} labels`);
  for (let i = 0; i < scores.length; i++) if (Number.isNaN(scores[i])) throw new RangeError(`score ${i} is NaN`);
  return Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
}

/**
 * Pixel ROC AUC, accumulated: scores are binned on a fixed monotone squashing of the real line,
 * u = ½ + ½·s/(1+|s|), into `bins` bins; pixels sharing a bin count as ties. With the default 2¹⁸ bins
 * a normalised score near the threshold (s ≈ 1) is resolved to ~1.5·10⁻⁵, far below any detector's noise.
 */
export class PixelAucAccumulator {
  readonly positives: Float64Array;
  readonly negatives: Float64Array;

  constructor(readonly bins = 1 << 18) {
    this.positives = new Float64Array(bins);
    this.negatives = new Float64Array(bins);
  }

  /** Adds another accumulator's pixels (one scored elsewhere, in another thread). */
  merge(other: { positives: Float64Array; negatives: Float64Array }): void {
    if (other.positives.length !== this.bins || other.negatives.length !== this.bins) throw new RangeError(`cannot merge ${other.positives.length} bins into ${this.bins}`);
    for (let b = 0; b < this.bins; b++) {
      this.positives[b]! += other.positives[b]!;
      this.negatives[b]! += other.negatives[b]!;
    }
  }

  binOf(score: number): number {
    const u = 0.5 + (0.5 * score) / (1 + Math.abs(score));
    return Math.min(this.bins - 1, Math.max(0, Math.floor(u * this.bins)));
  }

  /** Adds `count` pixels of one score. */
  add(score: number, anomalous: boolean, count = 1): void {
    const b = this.binOf(score);
    if (anomalous) this.positives[b]! += count;
    else this.negatives[b]! += count;
  }

  /**
   * Adds one frame: `map` is a patch map whose cells tile the `covered` pixels from the top-left,
   * upsampled by nearest neighbour to the mask's size (pixels past `covered` take the nearest edge
   * cell); `mask` holds one byte per pixel, non-zero = anomalous. With nearest upsampling every
   * cell is one score, so the frame costs one pass over the mask, not one bin update per pixel.
   */
  addFrame(map: ScoreMap, covered: FrameSize, mask: Uint8Array, frame: FrameSize): void {
    if (mask.length !== frame.width * frame.height) throw new RangeError(`mask has ${mask.length} pixels, frame is ${frame.width}x${frame.height}`);
    const cellW = covered.width / map.cols,
      cellH = covered.height / map.rows;
    const pos = new Float64Array(map.data.length),
      all = new Float64Array(map.data.length);
    const colOf = new Int32Array(frame.width);
    for (let x = 0; x < frame.width; x++) colOf[x] = Math.min(map.cols - 1, Math.floor((x + 0.5) / cellW));
    for (let y = 0; y < frame.height; y++) {
      const rowBase = Math.min(map.rows - 1, Math.floor((y + 0.5) / cellH)) * map.cols;
      const m = y * frame.width;
      for (let x = 0; x < frame.width; x++) {
        const c = rowBase + colOf[x]!;
        all[c]!++;
        if (mask[m + x]) pos[c]!++;
      }
    }
    for (let c = 0; c < map.data.length; c++) {
      if (all[c] === 0) continue;
      const b = this.binOf(map.data[c]!);
      this.positives[b]! += pos[c]!;
      this.negatives[b]! += all[c]! - pos[c]!;
    }
  }

  /** Pixels seen so far: [anomalous, normal]. */
  counts(): [number, number] {
    let p = 0,
      n = 0;
    for (let b = 0; b < this.bins; b++) {
      p += this.positives[b]!;
      n += this.negatives[b]!;
    }
    return [p, n];
  }

  /** ROC AUC over every pixel added; NaN when either class is empty. */
  auc(): number {
    const [p, n] = this.counts();
    if (p === 0 || n === 0) return NaN;
    // Walk bins upward: a positive beats every negative in lower bins and ties half of its own bin's.
    let negBelow = 0,
      wins = 0;
    for (let b = 0; b < this.bins; b++) {
      const pb = this.positives[b]!,
        nb = this.negatives[b]!;
      wins += pb * (negBelow + nb / 2);
      negBelow += nb;
    }
    return wins / (p * n);
  }
}
