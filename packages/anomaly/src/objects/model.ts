/**
 * Object-level normality: each detected object of a frame becomes a vector of where it is, how big it
 * is and how it moves — centre (share of frame width/height), log size (share of frame), displacement
 * since the previous analysed frame (share of frame width/height; unknown when it has no match there) —
 * and is scored by its distance to the nearest training object of the same class, each dimension divided
 * by a scale that says what "different" means (5 % of the frame in place, ×1.35 in size, 1.5 % of the
 * frame per frame in motion). A class never seen in training scores `unseenClass`.
 */
import type { DetectedObject } from './detect.js';

/** cx, cy, log w, log h, dx, dy. */
export const OBJECT_DIMS = 6;
export const OBJECT_SCALES = [0.05, 0.05, 0.3, 0.3, 0.015, 0.015] as const;

export interface ObjectParams {
  /** Detections under this confidence are ignored. */
  minScore: number;
  /** A detection matches one of the previous frame of its class whose centre is within this share of the frame. */
  maxMatch: number;
  /** Score of an object of a class no training object had. */
  unseenClass: number;
  /** Training frames used at most (evenly spaced): each costs one or two detector passes. */
  maxTrainFrames: number;
}

export const defaultObjectParams: ObjectParams = { minScore: 0.3, maxMatch: 0.08, unseenClass: 8, maxTrainFrames: 300 };

export interface ObjectVector {
  cls: number;
  /** OBJECT_DIMS values; dx, dy are NaN when the object had no match in the previous frame. */
  v: Float32Array;
  box: DetectedObject;
}

/** The confident objects of a frame as vectors, each matched (greedily, nearest first) to the previous frame's. */
export function objectVectors(current: DetectedObject[], previous: DetectedObject[] | undefined, width: number, height: number, p: ObjectParams): ObjectVector[] {
  const now = current.filter((o) => o.score >= p.minScore);
  const before = (previous ?? []).filter((o) => o.score >= p.minScore);
  const centre = (o: DetectedObject) => [(o.x1 + o.x2) / 2 / width, (o.y1 + o.y2) / 2 / height] as const;
  const pairs: { i: number; j: number; d: number }[] = [];
  now.forEach((a, i) =>
    before.forEach((b, j) => {
      if (a.cls !== b.cls) return;
      const [ax, ay] = centre(a),
        [bx, by] = centre(b);
      const d = Math.hypot(ax - bx, ay - by);
      if (d <= p.maxMatch) pairs.push({ i, j, d });
    }),
  );
  pairs.sort((x, y) => x.d - y.d);
  const matchOf = new Map<number, number>(),
    taken = new Set<number>();
  for (const { i, j } of pairs)
    if (!matchOf.has(i) && !taken.has(j)) {
      matchOf.set(i, j);
      taken.add(j);
    }
  return now.map((o, i) => {
    const [cx, cy] = centre(o);
    const v = new Float32Array(OBJECT_DIMS);
    v[0] = cx;
    v[1] = cy;
    v[2] = Math.log(Math.max(1, o.x2 - o.x1) / width);
    v[3] = Math.log(Math.max(1, o.y2 - o.y1) / height);
    const j = matchOf.get(i);
    if (j === undefined) {
      v[4] = NaN;
      v[5] = NaN;
    } else {
      const [px, py] = centre(before[j]!);
      v[4] = cx - px;
      v[5] = cy - py;
    }
    return { cls: o.cls, v, box: o };
  });
}

/** Training objects of every class, flat: `classes[k]` and `vectors[k·OBJECT_DIMS …]`. */
export class ObjectBank {
  constructor(
    readonly classes: Int32Array,
    readonly vectors: Float32Array,
  ) {
    if (vectors.length !== classes.length * OBJECT_DIMS) throw new RangeError(`object bank: ${classes.length} classes for ${vectors.length / OBJECT_DIMS} vectors`);
  }

  static from(objects: ObjectVector[]): ObjectBank {
    const vectors = new Float32Array(objects.length * OBJECT_DIMS);
    objects.forEach((o, k) => vectors.set(o.v, k * OBJECT_DIMS));
    return new ObjectBank(Int32Array.from(objects.map((o) => o.cls)), vectors);
  }

  get size(): number {
    return this.classes.length;
  }

  /** Scaled distance to the nearest training object of its class (motion compared only where both have it). */
  distance(o: ObjectVector, unseenClass: number): number {
    let best = Infinity;
    for (let k = 0; k < this.classes.length; k++) {
      if (this.classes[k] !== o.cls) continue;
      let s = 0;
      for (let d = 0; d < OBJECT_DIMS; d++) {
        const a = o.v[d]!,
          b = this.vectors[k * OBJECT_DIMS + d]!;
        if (Number.isNaN(a) || Number.isNaN(b)) continue;
        const z = (a - b) / OBJECT_SCALES[d]!;
        s += z * z;
      }
      if (s < best) best = s;
    }
    return best === Infinity ? unseenClass : Math.sqrt(best);
  }
}
