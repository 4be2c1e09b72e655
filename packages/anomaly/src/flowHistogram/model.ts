/**
 * FlowHistogram — per-place nearest-neighbour density of motion patterns. Each 8-px cell of a frame is
 * described by a histogram of oriented optical flow (HOF; Laptev et al., "Learning realistic human
 * actions from movies", CVPR 2008): of its moving pixels, how many move in each of 8 directions at each
 * of 3 speeds, plus how much of the cell moves and how strongly it changes. Descriptors are pooled over
 * the last few frames and a 2 × 2 block of cells (a walker's stride, a vehicle's length), and scored by
 * the distance to the nearest descriptor seen at that place in normal footage (a k-NN density, as
 * PatchCore scores patches, eq. 6 of Roth et al. 2022), searched among the cell's 3 × 3 neighbourhood:
 *   s(c) = min_{m ∈ M(N(c))} ‖h(c) − m‖₂.
 * A cyclist among walkers, a vehicle against the flow, a person crossing where nobody walks: each is a
 * pattern the place has not seen. A cell where nothing moved scores 0: stopped objects are the background
 * pair's to find.
 */
import { squaredDistanceBelow } from '../features/distance.js';
import { gaussianBlur, lumaOf, OpticalFlow, type OpticalFlowParams, type PyramidLevel } from '../features/opticalFlow.js';
import type { FrameInput } from '../frameInput.js';

export interface FlowHistogramParams extends OpticalFlowParams {
  /** Cell side, px (the ensemble's grid). */
  cell: number;
  /** A pixel moves when its luma changed by more than this since the previous frame. */
  changeThreshold: number;
  /** Upper edges of the speed bins, px a frame, ascending (the last bin is open): SPEEDS − 1 of them. */
  speedEdges: number[];
  /** Slower than this is not motion (flow noise). */
  minSpeed: number;
  /** Frames pooled, this one included. */
  frames: number;
  /** Weight of each speed bin in the distance: fast motion is what tells a cyclist from a walker. */
  speedWeights: number[];
  /** Bank entries kept per cell from its own training descriptors (searched with its neighbours'). */
  perCell: number;
  /**
   * Weights of the rings of cells along the frame's edges, outermost first: flow there is partly outside
   * the frame, objects are half in view, and a cell's 2 × 2 block reaches into the ring outside it. On
   * UCSD Ped1 people near the camera, cut by the bottom edge, were most false positives at 1–2 %.
   */
  borderWeights: number[];
  seed: number;
}

export const defaultFlowHistogramParams: FlowHistogramParams = {
  levels: 3,
  window: 7,
  iterations: 2,
  blur: 0.7,
  cell: 8,
  changeThreshold: 8,
  speedEdges: [1.2, 4],
  minSpeed: 0.3,
  frames: 5,
  speedWeights: [1, 2, 2],
  perCell: 400,
  borderWeights: [0.5, 0.6],
  seed: 7,
};

export const DIRECTIONS = 8;
export const SPEEDS = 3;
/** Per cell: DIRECTIONS × SPEEDS flow counts, the moving pixels, the mean absolute change. */
export const DESCRIPTOR = DIRECTIONS * SPEEDS + 2;
/** Index of the moving-pixel share in a descriptor. */
export const MOVING = DIRECTIONS * SPEEDS;
/** Index of the mean absolute change. */
const CHANGE = MOVING + 1;

export interface CellGridSize {
  cols: number;
  rows: number;
}

export function flowCells(width: number, height: number, cell: number): CellGridSize {
  const cols = Math.floor(width / cell),
    rows = Math.floor(height / cell);
  if (cols < 3 || rows < 3) throw new RangeError(`frame ${width}x${height} is too small for ${cell}-px flow cells (needs 3x3 cells)`);
  return { cols, rows };
}

/** The memory key of a frame's raw descriptors: they depend on the frame size and these params only. */
export function memoryKey(params: FlowHistogramParams, width: number, height: number): string {
  const { levels, window, iterations, blur, cell, changeThreshold, speedEdges, minSpeed } = params;
  return `flowHistogram:${width}x${height}:${[levels, window, iterations, blur, cell, changeThreshold, ...speedEdges, minSpeed].join(',')}`;
}

/** Turns frames into pooled descriptors, reusing buffers for one frame size. */
export class FlowDescriptors {
  readonly grid: CellGridSize;
  readonly key: string;
  private readonly flow: OpticalFlow;
  private readonly luma: Float32Array;
  /**
   * The last frame described, as the next one's predecessor: consecutive frames blur and build each pyramid
   * once. Matched by content, not only by identity: a live worker gets each frame's predecessor as a fresh copy
   * from Redis, and comparing the bytes costs far less than a blur and a pyramid.
   */
  private last: { rgb: Uint8Array; blurred: Float32Array; pyramid: PyramidLevel[] } | undefined;
  /** Weights of the pooled descriptor's dimensions (counts → shares of the cell, speed weights). */
  private readonly scale: Float32Array;
  /** Scratch: the raw descriptors summed over the pooled frames. */
  private readonly sum: Float32Array;

  constructor(
    readonly params: FlowHistogramParams,
    readonly width: number,
    readonly height: number,
  ) {
    this.grid = flowCells(width, height, params.cell);
    this.key = memoryKey(params, width, height);
    this.flow = new OpticalFlow(params);
    const n = width * height;
    this.luma = new Float32Array(n);
    const area = params.cell * params.cell;
    this.scale = new Float32Array(DESCRIPTOR);
    this.sum = new Float32Array(this.grid.cols * this.grid.rows * DESCRIPTOR);
    for (let s = 0; s < SPEEDS; s++) for (let d = 0; d < DIRECTIONS; d++) this.scale[s * DIRECTIONS + d] = params.speedWeights[s]! / area;
    this.scale[MOVING] = 1 / area;
    // Mean absolute change, in units of 20 levels: on the scale of the shares.
    this.scale[CHANGE] = 1 / 20;
  }

  get cells(): number {
    return this.grid.cols * this.grid.rows;
  }

  /**
   * One frame's raw descriptors (cells × DESCRIPTOR bytes: pixel counts and the mean change), from its
   * memory when this frame was described before, else computed and kept there. Undefined without `prev`.
   */
  raw(input: FrameInput): Uint8Array | undefined {
    const cached = input.memory && input.seq !== undefined ? input.memory.get(this.key, input.seq) : undefined;
    if (cached && cached.length === this.cells * DESCRIPTOR) return cached;
    if (!input.prev) return undefined;
    const out = this.compute(input.data, input.prev);
    if (input.memory && input.seq !== undefined) input.memory.set(this.key, input.seq, out);
    return out;
  }

  /**
   * The pooled, weighted descriptors of a frame into `out` (cells × DESCRIPTOR): this frame's raw
   * descriptors and those of up to `frames − 1` predecessors found in memory, averaged, then averaged over
   * each cell's 2 × 2 block (the cell and its upper and left neighbours). Returns how many frames were
   * pooled: 0 when the frame has no motion known.
   */
  pooled(input: FrameInput, out: Float32Array): number {
    const own = this.raw(input);
    if (!own) return 0;
    const { cols, rows } = this.grid;
    const sum = this.sum.fill(0);
    let count = 0;
    const add = (r: Uint8Array) => {
      for (let i = 0; i < r.length; i++) sum[i]! += r[i]!;
      count++;
    };
    add(own);
    if (input.memory && input.seq !== undefined) {
      for (let back = 1; back < this.params.frames; back++) {
        const r = input.memory.get(this.key, input.seq - back);
        if (r && r.length === own.length) add(r);
      }
    }
    const { scale } = this;
    for (let y = 0; y < rows; y++) {
      const y0 = Math.max(0, y - 1);
      for (let x = 0; x < cols; x++) {
        const x0 = Math.max(0, x - 1);
        const o = (y * cols + x) * DESCRIPTOR;
        const a = (y0 * cols + x0) * DESCRIPTOR,
          b = (y0 * cols + x) * DESCRIPTOR,
          c = (y * cols + x0) * DESCRIPTOR;
        for (let k = 0; k < DESCRIPTOR; k++) out[o + k] = ((sum[a + k]! + sum[b + k]! + sum[c + k]! + sum[o + k]!) / (4 * count)) * scale[k]!;
      }
    }
    return count;
  }

  private prepare(rgb: Uint8Array): { rgb: Uint8Array; blurred: Float32Array; pyramid: PyramidLevel[] } {
    const { width: W, height: H, params } = this;
    lumaOf(rgb, W, H, this.luma);
    const blurred = params.blur > 0 ? (gaussianBlur(this.luma, W, H, params.blur) as Float32Array) : Float32Array.from(this.luma);
    return { rgb, blurred, pyramid: this.flow.pyramid(blurred, W, H) };
  }

  private compute(rgb: Uint8Array, prevRgb: Uint8Array): Uint8Array {
    const { width: W, height: H, params } = this;
    const need = W * H * 3;
    if (rgb.length < need || prevRgb.length < need) throw new RangeError(`frame data has ${Math.min(rgb.length, prevRgb.length)} bytes, expected ${need}`);
    const before = this.last && sameBytes(this.last.rgb, prevRgb) ? this.last : this.prepare(prevRgb);
    const now = this.prepare(rgb);
    this.last = now;
    const cur = now.blurred,
      prev = before.blurred;
    const { u, v } = this.flow.estimatePyramids(before.pyramid, now.pyramid);
    const { cols, rows } = this.grid;
    const { cell, changeThreshold, minSpeed } = params;
    const edges = params.speedEdges;
    const counts = new Float64Array(cols * rows * DESCRIPTOR);
    const sector = DIRECTIONS / (2 * Math.PI);
    for (let y = 0; y < rows * cell; y++) {
      const cy = (y / cell) | 0;
      for (let x = 0; x < cols * cell; x++) {
        const i = y * W + x;
        const o = (cy * cols + ((x / cell) | 0)) * DESCRIPTOR;
        const change = Math.abs(cur[i]! - prev[i]!);
        counts[o + CHANGE]! += change;
        if (change <= changeThreshold) continue;
        counts[o + MOVING]!++;
        const du = u[i]!,
          dv = v[i]!;
        const speed = Math.hypot(du, dv);
        if (speed <= minSpeed) continue;
        const d = Math.floor((Math.atan2(dv, du) + Math.PI) * sector) % DIRECTIONS;
        let s = 0;
        while (s < edges.length && speed > edges[s]!) s++;
        counts[o + s * DIRECTIONS + d]!++;
      }
    }
    const out = new Uint8Array(cols * rows * DESCRIPTOR);
    const area = cell * cell;
    for (let c = 0; c < cols * rows; c++) {
      const o = c * DESCRIPTOR;
      for (let k = 0; k < CHANGE; k++) out[o + k] = counts[o + k]!;
      out[o + CHANGE] = Math.min(255, Math.round(counts[o + CHANGE]! / area));
    }
    return out;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a === b || (a.byteLength === b.byteLength && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength)));
}

/**
 * The memory bank: each cell's own normal descriptors (entries `offsets[c]` to `offsets[c + 1]` of
 * `entries`, DESCRIPTOR floats each). A query is compared with its 3 × 3 neighbourhood's entries, the
 * window shifted inward at the frame's edges so border cells search as many entries as the rest.
 */
export class LocationBank {
  /** Length of each entry; within a cell, entries are kept in order of length. */
  private readonly lengths: Float32Array;

  constructor(
    readonly grid: CellGridSize,
    readonly entries: Float32Array,
    readonly offsets: Float32Array,
  ) {
    const cells = grid.cols * grid.rows;
    if (offsets.length !== cells + 1) throw new RangeError(`bank offsets hold ${offsets.length} values, expected ${cells + 1}`);
    if (offsets[0] !== 0 || offsets[cells]! * DESCRIPTOR !== entries.length) throw new RangeError(`bank offsets do not span its ${entries.length / DESCRIPTOR} entries`);
    for (let c = 0; c < cells; c++) if (!(offsets[c + 1]! >= offsets[c]!) || !Number.isInteger(offsets[c])) throw new RangeError(`bank offsets are not increasing whole numbers at cell ${c}`);
    this.lengths = new Float32Array(entries.length / DESCRIPTOR);
    for (let c = 0; c < cells; c++) sortByLength(entries, offsets[c]!, offsets[c + 1]!, this.lengths);
  }

  get size(): number {
    return this.entries.length / DESCRIPTOR;
  }

  /**
   * Distance of each cell's descriptor to the nearest entry around it; a still cell (no moving pixel) is
   * at 0. Exact search, pruned by the triangle inequality: ‖q − m‖ ≥ |‖q‖ − ‖m‖|, so within a cell's
   * length-ordered entries the search walks outward from ‖q‖ and stops once no nearer entry can remain.
   */
  nearest(descriptors: Float32Array, out: Float32Array): Float32Array {
    const { cols, rows } = this.grid;
    const { entries, offsets, lengths } = this;
    for (let y = 0; y < rows; y++) {
      const y0 = Math.min(Math.max(y - 1, 0), Math.max(0, rows - 3));
      for (let x = 0; x < cols; x++) {
        const c = y * cols + x;
        const q = c * DESCRIPTOR;
        // Nothing moved here in the pooled frames: stillness is normal everywhere (stopped objects are the background pair's).
        if (descriptors[q + MOVING]! === 0) {
          out[c] = 0;
          continue;
        }
        let qn = 0;
        for (let k = 0; k < DESCRIPTOR; k++) qn += descriptors[q + k]! * descriptors[q + k]!;
        const ql = Math.sqrt(qn);
        let best = Infinity;
        const x0 = Math.min(Math.max(x - 1, 0), Math.max(0, cols - 3));
        // The cell's own entries first: they usually hold the nearest, and a small bound prunes the rest.
        best = searchCell(descriptors, q, ql, entries, lengths, offsets[c]!, offsets[c + 1]!, best);
        for (let yy = y0; yy < Math.min(rows, y0 + 3); yy++) {
          for (let xx = x0; xx < Math.min(cols, x0 + 3); xx++) {
            const n = yy * cols + xx;
            if (n !== c) best = searchCell(descriptors, q, ql, entries, lengths, offsets[n]!, offsets[n + 1]!, best);
          }
        }
        out[c] = best === Infinity ? ql : Math.sqrt(best);
      }
    }
    return out;
  }
}

/** Squared distance to the nearest of entries [from, to) (length-ordered) if nearer than `best`, else `best`. */
function searchCell(query: Float32Array, q: number, ql: number, entries: Float32Array, lengths: Float32Array, from: number, to: number, best: number): number {
  if (from === to) return best;
  // First entry at least as long as the query.
  let lo = from,
    hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (lengths[mid]! < ql) lo = mid + 1;
    else hi = mid;
  }
  let up = lo,
    down = lo - 1;
  for (;;) {
    const gapUp = up < to ? lengths[up]! - ql : Infinity;
    const gapDown = down >= from ? ql - lengths[down]! : Infinity;
    const e = gapUp <= gapDown ? up : down;
    const gap = gapUp <= gapDown ? gapUp : gapDown;
    if (gap === Infinity || gap * gap >= best) return best;
    if (e === up) up++;
    else down--;
    const d = squaredDistanceBelow(query, q, entries, e * DESCRIPTOR, DESCRIPTOR, best);
    if (d < best) best = d;
  }
}

/** Orders entries [from, to) by length, in place, and writes their lengths. */
function sortByLength(entries: Float32Array, from: number, to: number, lengths: Float32Array): void {
  const n = to - from;
  const len = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < DESCRIPTOR; k++) s += entries[(from + i) * DESCRIPTOR + k]! ** 2;
    len[i] = Math.sqrt(s);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => len[a]! - len[b]!);
  const copy = entries.slice(from * DESCRIPTOR, to * DESCRIPTOR);
  order.forEach((src, dst) => {
    entries.set(copy.subarray(src * DESCRIPTOR, (src + 1) * DESCRIPTOR), (from + dst) * DESCRIPTOR);
    lengths[from + dst] = len[src]!;
  });
}

/** Scales the rings of cells along the edges by `weights` (outermost first), in place. */
export function weighBorder(map: Float32Array, grid: CellGridSize, weights: readonly number[]): Float32Array {
  const { cols, rows } = grid;
  if (weights.length === 0) return map;
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) {
      const ring = Math.min(y, x, rows - 1 - y, cols - 1 - x);
      if (ring < weights.length) map[y * cols + x]! *= weights[ring]!;
    }
  }
  return map;
}
