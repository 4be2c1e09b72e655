/**
 * Block-matching optical flow between two analysed frames, one vector per 8-px cell of the shared
 * cell grid — the classic exhaustive SAD search (Jain & Jain 1981, "Displacement measurement and its
 * application in interframe image coding"), made cheap three ways: on luma at half resolution, only
 * for cells whose content changed, and coarse-to-fine (a wide search at quarter resolution, refined by
 * ±1 px at half resolution, then a parabola through the SAD for sub-pixel precision).
 * A vector d means: the cell's content now was at (p − d) in the previous frame, in full-res pixels.
 */

export interface FlowParams {
  /** Side of a cell in full-res pixels (the shared grid: 8). */
  cell: number;
  /** Mean |Δluma| (0–255) over a cell above which it counts as changed and gets a vector. */
  changeThreshold: number;
  /** Search radius at quarter resolution (×4 in full-res pixels). */
  searchRadius: number;
  /** A match must cut the SAD of "no motion" to at most this share, or the vector is unreliable. */
  maxMatchRatio: number;
  /** Agreeing 8-neighbours a vector needs to be kept (0: keep all). */
  minAgreeing: number;
}

export const defaultFlowParams: FlowParams = { cell: 8, changeThreshold: 7, searchRadius: 8, maxMatchRatio: 0.8, minAgreeing: 2 };

/** Per cell (row-major, `cols × rows`): displacement in full-res pixels; `valid` 1 where it was measured and reliable. */
export interface FlowField {
  cols: number;
  rows: number;
  dx: Float32Array;
  dy: Float32Array;
  valid: Uint8Array;
  /** Mean |Δluma| of the cell (full-res luma scale), measured for every cell. */
  change: Float32Array;
}

/** Luma (BT.601) of packed RGB, box-averaged over f × f pixels; writes `out` of (⌊W/f⌋ × ⌊H/f⌋). */
export function downscaledLuma(rgb: Uint8Array, width: number, height: number, f: number, out: Float32Array): Float32Array {
  const w = Math.floor(width / f),
    h = Math.floor(height / f);
  const inv = 1 / (f * f);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let yy = 0; yy < f; yy++) {
        let i = ((y * f + yy) * width + x * f) * 3;
        for (let xx = 0; xx < f; xx++, i += 3) s += 0.299 * rgb[i]! + 0.587 * rgb[i + 1]! + 0.114 * rgb[i + 2]!;
      }
      out[y * w + x] = s * inv;
    }
  }
  return out;
}

function halve(src: Float32Array, w: number, h: number, out: Float32Array): Float32Array {
  const w2 = w >> 1,
    h2 = h >> 1;
  for (let y = 0; y < h2; y++) {
    for (let x = 0; x < w2; x++) {
      const i = 2 * y * w + 2 * x;
      out[y * w2 + x] = 0.25 * (src[i]! + src[i + 1]! + src[i + w]! + src[i + w + 1]!);
    }
  }
  return out;
}

/** SAD of the `bs × bs` block at (bx, by) in `cur` against the block displaced by −(dx, dy) in `prev`; Infinity if outside. */
function sad(cur: Float32Array, prev: Float32Array, w: number, h: number, bx: number, by: number, bs: number, dx: number, dy: number, limit: number): number {
  const px = bx - dx,
    py = by - dy;
  if (px < 0 || py < 0 || px + bs > w || py + bs > h) return Infinity;
  let s = 0;
  for (let y = 0; y < bs; y++) {
    let a = (by + y) * w + bx,
      b = (py + y) * w + px;
    for (let x = 0; x < bs; x++, a++, b++) s += Math.abs(cur[a]! - prev[b]!);
    if (s > limit) return s; // early exit: already worse than the best
  }
  return s;
}

/** Offset of a parabola's vertex through three equally spaced samples, in (−0.5, 0.5). */
function vertex(l: number, c: number, r: number): number {
  if (!Number.isFinite(l) || !Number.isFinite(r)) return 0;
  const den = l - 2 * c + r;
  if (den <= 1e-9) return 0;
  return Math.max(-0.5, Math.min(0.5, (0.5 * (l - r)) / den));
}

/** Reusable buffers for one frame size; `estimate` allocates nothing. */
export class BlockFlow {
  readonly cols: number;
  readonly rows: number;
  private readonly hw: number;
  private readonly hh: number;
  private readonly qw: number;
  private readonly qh: number;
  private readonly curH: Float32Array;
  private readonly prevH: Float32Array;
  private readonly curQ: Float32Array;
  private readonly prevQ: Float32Array;
  private readonly agree: Uint8Array;
  /** The best TOP coarse candidates as (sad, dx, dy) triples, ascending. */
  private readonly top = new Float64Array(3 * TOP);

  constructor(
    readonly width: number,
    readonly height: number,
    readonly params: FlowParams = defaultFlowParams,
  ) {
    if (params.cell % 4 !== 0) throw new RangeError(`flow cell ${params.cell} must be a multiple of 4`);
    this.cols = Math.floor(width / params.cell);
    this.rows = Math.floor(height / params.cell);
    if (this.cols < 2 || this.rows < 2) throw new RangeError(`frame ${width}x${height} is too small for flow`);
    this.hw = Math.floor(width / 2);
    this.hh = Math.floor(height / 2);
    this.qw = this.hw >> 1;
    this.qh = this.hh >> 1;
    this.curH = new Float32Array(this.hw * this.hh);
    this.prevH = new Float32Array(this.hw * this.hh);
    this.curQ = new Float32Array(this.qw * this.qh);
    this.prevQ = new Float32Array(this.qw * this.qh);
    this.agree = new Uint8Array(this.cols * this.rows);
  }

  newField(): FlowField {
    const n = this.cols * this.rows;
    return { cols: this.cols, rows: this.rows, dx: new Float32Array(n), dy: new Float32Array(n), valid: new Uint8Array(n), change: new Float32Array(n) };
  }

  estimate(cur: Uint8Array, prev: Uint8Array, out: FlowField = this.newField()): FlowField {
    const { width: W, height: H, hw, hh, qw, qh, curH, prevH, curQ, prevQ } = this;
    const need = W * H * 3;
    if (cur.length < need || prev.length < need) throw new RangeError(`frames must hold ${need} bytes (${W}x${H} RGB)`);
    downscaledLuma(cur, W, H, 2, curH);
    downscaledLuma(prev, W, H, 2, prevH);
    halve(curH, hw, hh, curQ);
    halve(prevH, hw, hh, prevQ);

    const { cell, changeThreshold, searchRadius: R, maxMatchRatio } = this.params;
    const hc = cell / 2; // cell side at half resolution
    const qc = cell / 4;
    // Blocks are twice the cell, centred on it: enough texture to match, still local.
    const hbs = 2 * hc,
      qbs = Math.max(4, 2 * qc);
    out.dx.fill(0);
    out.dy.fill(0);
    out.valid.fill(0);
    for (let r = 0; r < this.rows; r++) {
      for (let c = 0; c < this.cols; c++) {
        const k = r * this.cols + c;
        let change = 0;
        for (let y = r * hc; y < (r + 1) * hc; y++) for (let x = c * hc, i = y * hw + x; x < (c + 1) * hc; x++, i++) change += Math.abs(curH[i]! - prevH[i]!);
        change /= hc * hc;
        out.change[k] = change;
        if (change < changeThreshold) continue;

        // Coarse: exhaustive search at quarter resolution, keeping the best few (periodic texture aliases there).
        const qbx = clamp(c * qc + (qc >> 1) - (qbs >> 1), 0, qw - qbs);
        const qby = clamp(r * qc + (qc >> 1) - (qbs >> 1), 0, qh - qbs);
        const top = this.top;
        top.fill(Infinity);
        for (let dy = -R; dy <= R; dy++) {
          for (let dx = -R; dx <= R; dx++) {
            const s = sad(curQ, prevQ, qw, qh, qbx, qby, qbs, dx, dy, top[3 * (TOP - 1)]!);
            if (s < top[3 * (TOP - 1)]!) insertTop(top, s, 2 * dx, 2 * dy);
          }
        }

        // Fine: ±1 at half resolution around each coarse candidate, no motion, and the left and upper neighbours' vectors.
        const bx = clamp(c * hc + (hc >> 1) - (hbs >> 1), 0, hw - hbs);
        const by = clamp(r * hc + (hc >> 1) - (hbs >> 1), 0, hh - hbs);
        const zero = sad(curH, prevH, hw, hh, bx, by, hbs, 0, 0, Infinity);
        let fbest = Infinity,
          fdx = 0,
          fdy = 0;
        const refine = (cx: number, cy: number): void => {
          for (let dy = cy - 1; dy <= cy + 1; dy++) {
            for (let dx = cx - 1; dx <= cx + 1; dx++) {
              const s = sad(curH, prevH, hw, hh, bx, by, hbs, dx, dy, fbest);
              // Prefer the smaller displacement on ties: flat regions must not invent motion.
              if (s < fbest - 1e-6 || (s <= fbest + 1e-6 && dx * dx + dy * dy < fdx * fdx + fdy * fdy)) {
                fbest = s;
                fdx = dx;
                fdy = dy;
              }
            }
          }
        };
        refine(0, 0);
        for (let t = 0; t < TOP; t++) if (Number.isFinite(top[3 * t]!)) refine(top[3 * t + 1]!, top[3 * t + 2]!);
        if (c > 0 && out.valid[k - 1]) refine(Math.round(out.dx[k - 1]! / 2), Math.round(out.dy[k - 1]! / 2));
        if (r > 0 && out.valid[k - this.cols]) refine(Math.round(out.dx[k - this.cols]! / 2), Math.round(out.dy[k - this.cols]! / 2));
        // At the search border the true motion may lie beyond it: unknown rather than wrong.
        const border = 2 * R - 1;
        if (!Number.isFinite(fbest) || (fdx === 0 && fdy === 0) || fbest > maxMatchRatio * zero || Math.abs(fdx) >= border || Math.abs(fdy) >= border) continue;
        const sx = vertex(sad(curH, prevH, hw, hh, bx, by, hbs, fdx - 1, fdy, Infinity), fbest, sad(curH, prevH, hw, hh, bx, by, hbs, fdx + 1, fdy, Infinity));
        const sy = vertex(sad(curH, prevH, hw, hh, bx, by, hbs, fdx, fdy - 1, Infinity), fbest, sad(curH, prevH, hw, hh, bx, by, hbs, fdx, fdy + 1, Infinity));
        out.dx[k] = 2 * (fdx + sx);
        out.dy[k] = 2 * (fdy + sy);
        out.valid[k] = 1;
      }
    }
    if (this.params.minAgreeing > 0) this.keepCoherent(out);
    return out;
  }

  /** Drops vectors that too few 8-neighbours agree with: real movers span several cells, matching errors do not. */
  private keepCoherent(f: FlowField): void {
    const { cols, rows } = this;
    const keep = this.agree;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const k = r * cols + c;
        keep[k] = 0;
        if (!f.valid[k]) continue;
        const dx = f.dx[k]!,
          dy = f.dy[k]!;
        const tol = 2 + 0.25 * Math.hypot(dx, dy);
        let n = 0;
        for (let y = Math.max(0, r - 1); y <= Math.min(rows - 1, r + 1); y++) {
          for (let x = Math.max(0, c - 1); x <= Math.min(cols - 1, c + 1); x++) {
            const q = y * cols + x;
            if (q !== k && f.valid[q] && Math.hypot(f.dx[q]! - dx, f.dy[q]! - dy) <= tol) n++;
          }
        }
        keep[k] = n >= this.params.minAgreeing ? 1 : 0;
      }
    }
    f.valid.set(keep);
  }
}

const TOP = 3;

function insertTop(top: Float64Array, s: number, dx: number, dy: number): void {
  let i = TOP - 1;
  while (i > 0 && top[3 * (i - 1)]! > s) {
    top[3 * i] = top[3 * (i - 1)]!;
    top[3 * i + 1] = top[3 * (i - 1) + 1]!;
    top[3 * i + 2] = top[3 * (i - 1) + 2]!;
    i--;
  }
  top[3 * i] = s;
  top[3 * i + 1] = dx;
  top[3 * i + 2] = dy;
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
