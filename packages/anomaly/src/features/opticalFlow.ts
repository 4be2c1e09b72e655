/**
 * Dense optical flow by pyramidal Lucas–Kanade: Lucas & Kanade, "An iterative image registration
 * technique with an application to stereo vision", IJCAI 1981; coarse-to-fine as in Bouguet, "Pyramidal
 * implementation of the Lucas Kanade feature tracker", Intel 2000. At every pixel the displacement d
 * solves the windowed normal equations  G d = −b,  G = Σ_w [Ix² IxIy; IxIy Iy²],  b = Σ_w [Ix It; Iy It],
 * with the previous frame warped by the current estimate and re-solved (a few Gauss–Newton steps) on each
 * level of a Gaussian pyramid, so motion of several pixels a frame is followed. Dense and cheap (box sums),
 * it measures sub-pixel speeds that block matching quantises away: a far cyclist and a far walker differ
 * by a fraction of a pixel a frame.
 */

export interface OpticalFlowParams {
  /** Pyramid levels (each halves the size): 3 follows motion up to ~25 px a frame. */
  levels: number;
  /** Side of the square window the normal equations sum over. */
  window: number;
  /** Gauss–Newton steps per level. */
  iterations: number;
  /** Gaussian blur of the input luma (σ, px): JPEG blocks and sensor noise are not motion. */
  blur: number;
}

export const defaultOpticalFlowParams: OpticalFlowParams = { levels: 3, window: 7, iterations: 2, blur: 0.7 };

/** Flow of every pixel from the previous frame to this one, in pixels of the frame (u right, v down). */
export interface DenseFlow {
  width: number;
  height: number;
  u: F32;
  v: F32;
}

/** Tikhonov term on det(G): flat windows (no texture) get no motion rather than noise. */
/** Any float image buffer (plain or shared). */
type F32 = Float32Array<ArrayBufferLike>;

const DET_EPSILON = 0.1;
/** Largest update of one step, px: a bad step in a flat window cannot throw the estimate away. */
const MAX_STEP = 2;

/** Luma (BT.601) of packed RGB, into `out`. */
export function lumaOf(rgb: Uint8Array, width: number, height: number, out: F32 = new Float32Array(width * height)): F32 {
  for (let i = 0, n = width * height; i < n; i++) out[i] = 0.299 * rgb[i * 3]! + 0.587 * rgb[i * 3 + 1]! + 0.114 * rgb[i * 3 + 2]!;
  return out;
}

const BINOMIAL_5 = new Float32Array([1 / 16, 4 / 16, 6 / 16, 4 / 16, 1 / 16]);

/** A sampled Gaussian cut at 2σ (at least 3 taps), normalised. */
function gaussianKernel(sigma: number): Float32Array {
  const radius = Math.max(1, Math.ceil(2 * sigma));
  const k = new Float32Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) sum += k[i + radius] = Math.exp((-i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i]! /= sum;
  return k;
}

/** Half-sample symmetric index (… b a | a b c … c b a | a b …), as image filters extend borders. */
function reflect(i: number, n: number): number {
  while (i < 0 || i >= n) i = i < 0 ? -i - 1 : 2 * n - i - 1;
  return i;
}

/** Index tables of a reflected border for taps −r…r: `table[x + r + j]` is the column x + j folded back in. */
function reflectedIndices(n: number, r: number): Int32Array {
  const t = new Int32Array(n + 2 * r);
  for (let i = 0; i < t.length; i++) t[i] = reflect(i - r, n);
  return t;
}

/** Separable Gaussian blur with reflected borders. */
export function gaussianBlur(src: F32, width: number, height: number, sigma: number, out?: F32): F32 {
  return separableFilter(src, width, height, gaussianKernel(sigma), out, 1);
}

/** Scratch rows of separableFilter, by size: a frame is filtered a few times and the buffer is the same each time. */
let filterScratch = new Float32Array(0);

/** A symmetric kernel applied along rows then columns; `step` 2 keeps every second row and column. */
function separableFilter(src: F32, width: number, height: number, k: Float32Array, out: F32 | undefined, step: 1 | 2): F32 {
  const r = (k.length - 1) / 2;
  const ow = Math.ceil(width / step),
    oh = Math.ceil(height / step);
  const target = out ?? new Float32Array(ow * oh);
  const xi = reflectedIndices(width, r),
    yi = reflectedIndices(height, r);
  if (filterScratch.length < ow * height) filterScratch = new Float32Array(ow * height);
  const tmp = filterScratch;
  // Five taps (the blur and the pyramid's kernel) have an unrolled inner loop: the same terms in the same order.
  const five = k.length === 5;
  const [k0, k1, k2, k3, k4] = five ? (k as unknown as [number, number, number, number, number]) : [0, 0, 0, 0, 0];
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let ox = 0; ox < ow; ox++) {
      const x = ox * step;
      let s = 0;
      if (five && x >= 2 && x + 2 < width) {
        const i = row + x;
        s += k0 * src[i - 2]!;
        s += k1 * src[i - 1]!;
        s += k2 * src[i]!;
        s += k3 * src[i + 1]!;
        s += k4 * src[i + 2]!;
      } else for (let j = 0; j < k.length; j++) s += k[j]! * src[row + xi[x + j]!]!;
      tmp[y * ow + ox] = s;
    }
  }
  for (let oy = 0; oy < oh; oy++) {
    const y = oy * step;
    const o = oy * ow;
    if (five) {
      const a = yi[y]! * ow,
        b = yi[y + 1]! * ow,
        c = yi[y + 2]! * ow,
        d = yi[y + 3]! * ow,
        e = yi[y + 4]! * ow;
      for (let ox = 0; ox < ow; ox++) {
        let s = 0;
        s += k0 * tmp[a + ox]!;
        s += k1 * tmp[b + ox]!;
        s += k2 * tmp[c + ox]!;
        s += k3 * tmp[d + ox]!;
        s += k4 * tmp[e + ox]!;
        target[o + ox] = s;
      }
      continue;
    }
    for (let ox = 0; ox < ow; ox++) {
      let s = 0;
      for (let j = 0; j < k.length; j++) s += k[j]! * tmp[yi[y + j]! * ow + ox]!;
      target[o + ox] = s;
    }
  }
  return target;
}

/**
 * Means over a `win × win` window centred on each pixel of five images at once (the structure tensor's
 * products), reflected borders, by running sums: O(1) a pixel. Results replace the inputs; `tmp` holds five planes.
 */
function boxMeans(planes: F32[], width: number, height: number, win: number, tmp: F32[]): void {
  const r = win >> 1;
  const inv = 1 / win;
  const xi = reflectedIndices(width, r + 1),
    yi = reflectedIndices(height, r + 1);
  const [a, b, c, d, e] = planes as [F32, F32, F32, F32, F32];
  const [ta, tb, tc, td, te] = tmp as [F32, F32, F32, F32, F32];
  // xi[x + r + 1] is column x folded; the window of x spans x − r … x + r.
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let sa = 0,
      sb = 0,
      sc = 0,
      sd = 0,
      se = 0;
    for (let j = -r; j <= r; j++) {
      const i = row + xi[j + r + 1]!;
      sa += a[i]!;
      sb += b[i]!;
      sc += c[i]!;
      sd += d[i]!;
      se += e[i]!;
    }
    for (let x = 0; x < width; x++) {
      const o = row + x;
      ta[o] = sa * inv;
      tb[o] = sb * inv;
      tc[o] = sc * inv;
      td[o] = sd * inv;
      te[o] = se * inv;
      const add = row + xi[x + 2 * r + 2]!,
        sub = row + xi[x + 1]!;
      sa += a[add]! - a[sub]!;
      sb += b[add]! - b[sub]!;
      sc += c[add]! - c[sub]!;
      sd += d[add]! - d[sub]!;
      se += e[add]! - e[sub]!;
    }
  }
  // Columns, a row of running sums at a time so memory is read in order.
  const sums = new Float32Array(width * 5);
  for (let j = -r; j <= r; j++) {
    const row = yi[j + r + 1]! * width;
    for (let x = 0; x < width; x++) {
      const i = row + x,
        k = x * 5;
      sums[k]! += ta[i]!;
      sums[k + 1]! += tb[i]!;
      sums[k + 2]! += tc[i]!;
      sums[k + 3]! += td[i]!;
      sums[k + 4]! += te[i]!;
    }
  }
  for (let y = 0; y < height; y++) {
    const row = y * width,
      add = yi[y + 2 * r + 2]! * width,
      sub = yi[y + 1]! * width;
    for (let x = 0; x < width; x++) {
      const k = x * 5,
        o = row + x;
      a[o] = sums[k]! * inv;
      b[o] = sums[k + 1]! * inv;
      c[o] = sums[k + 2]! * inv;
      d[o] = sums[k + 3]! * inv;
      e[o] = sums[k + 4]! * inv;
      sums[k]! += ta[add + x]! - ta[sub + x]!;
      sums[k + 1]! += tb[add + x]! - tb[sub + x]!;
      sums[k + 2]! += tc[add + x]! - tc[sub + x]!;
      sums[k + 3]! += td[add + x]! - td[sub + x]!;
      sums[k + 4]! += te[add + x]! - te[sub + x]!;
    }
  }
}

/** Central differences inside, one-sided at the borders. */
function gradients(img: F32, width: number, height: number, gx: F32, gy: F32): void {
  for (let y = 0; y < height; y++) {
    const row = y * width;
    if (width < 2) gx.fill(0, row, row + width);
    else {
      gx[row] = img[row + 1]! - img[row]!;
      for (let i = row + 1, end = row + width - 1; i < end; i++) gx[i] = 0.5 * (img[i + 1]! - img[i - 1]!);
      gx[row + width - 1] = img[row + width - 1]! - img[row + width - 2]!;
    }
  }
  if (height < 2) {
    gy.fill(0);
    return;
  }
  for (let x = 0; x < width; x++) {
    gy[x] = img[width + x]! - img[x]!;
    const last = (height - 1) * width + x;
    gy[last] = img[last]! - img[last - width]!;
  }
  for (let i = width, end = (height - 1) * width; i < end; i++) gy[i] = 0.5 * (img[i + width]! - img[i - width]!);
}

/** Bilinear sample with coordinates clamped to the image. */
function sample(img: F32, width: number, height: number, x: number, y: number): number {
  x = x < 0 ? 0 : x > width - 1 ? width - 1 : x;
  y = y < 0 ? 0 : y > height - 1 ? height - 1 : y;
  const x0 = Math.floor(x),
    y0 = Math.floor(y);
  const x1 = x0 + 1 < width ? x0 + 1 : x0,
    y1 = y0 + 1 < height ? y0 + 1 : y0;
  const fx = x - x0,
    fy = y - y0;
  const a = img[y0 * width + x0]!,
    b = img[y0 * width + x1]!,
    c = img[y1 * width + x0]!,
    d = img[y1 * width + x1]!;
  return a + fx * (b - a) + fy * (c - a) + fx * fy * (a - b - c + d);
}

export interface PyramidLevel {
  img: F32;
  width: number;
  height: number;
}

/** Next pyramid level: blur by the 5-tap binomial (Burt & Adelson's kernel, σ = 1), then every second pixel. */
function downsample(img: F32, width: number, height: number): PyramidLevel {
  return { img: separableFilter(img, width, height, BINOMIAL_5, undefined, 2), width: Math.ceil(width / 2), height: Math.ceil(height / 2) };
}

/** Bilinear resize of a flow component, corners to corners, scaled by the size ratio. */
function upsampleFlow(f: F32, w: number, h: number, width: number, height: number): F32 {
  const out = new Float32Array(width * height);
  const sx = width > 1 ? (w - 1) / (width - 1) : 0,
    sy = height > 1 ? (h - 1) / (height - 1) : 0;
  const scale = width / w;
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) out[y * width + x] = scale * sample(f, w, h, x * sx, y * sy);
  return out;
}

/** Pyramidal Lucas–Kanade flow from `prev` to `cur` (luma, already blurred). */
export class OpticalFlow {
  constructor(readonly params: OpticalFlowParams = defaultOpticalFlowParams) {
    if (
      !(
        Number.isInteger(params.levels) &&
        params.levels >= 1 &&
        Number.isInteger(params.window) &&
        params.window >= 3 &&
        params.window % 2 === 1 &&
        Number.isInteger(params.iterations) &&
        params.iterations >= 1 &&
        params.blur >= 0
      )
    ) {
      throw new RangeError(`invalid optical flow params: ${JSON.stringify(params)}`);
    }
  }

  /** The Gaussian pyramid of a frame's luma (finest first); build it once per frame and pass it to `estimatePyramids` twice. */
  pyramid(img: F32, width: number, height: number): PyramidLevel[] {
    const levels: PyramidLevel[] = [{ img, width, height }];
    for (let l = 1; l < this.params.levels; l++) {
      const top = levels[l - 1]!;
      if (top.width < 8 || top.height < 8) break;
      levels.push(downsample(top.img, top.width, top.height));
    }
    return levels;
  }

  estimate(prev: F32, cur: F32, width: number, height: number): DenseFlow {
    return this.estimatePyramids(this.pyramid(prev, width, height), this.pyramid(cur, width, height));
  }

  estimatePyramids(prev: PyramidLevel[], cur: PyramidLevel[]): DenseFlow {
    const depth = Math.min(prev.length, cur.length);
    let u: F32 | undefined,
      v: F32 | undefined,
      w = 0,
      h = 0;
    for (let l = depth - 1; l >= 0; l--) {
      const a = prev[l]!,
        b = cur[l]!;
      if (a.width !== b.width || a.height !== b.height) throw new RangeError(`pyramid levels differ in size: ${a.width}x${a.height} and ${b.width}x${b.height}`);
      if (!u || !v) {
        u = new Float32Array(a.width * a.height);
        v = new Float32Array(a.width * a.height);
      } else {
        u = upsampleFlow(u, w, h, a.width, a.height);
        v = upsampleFlow(v, w, h, a.width, a.height);
      }
      this.refine(a.img, b.img, a.width, a.height, u, v);
      w = a.width;
      h = a.height;
    }
    return { width: cur[0]!.width, height: cur[0]!.height, u: u!, v: v! };
  }

  /** Scratch buffers of one level size, reused frame after frame. */
  private scratch = new Map<number, F32[]>();

  private buffers(n: number): F32[] {
    let b = this.scratch.get(n);
    if (!b) this.scratch.set(n, (b = Array.from({ length: 15 }, () => new Float32Array(n))));
    return b;
  }

  /** Gauss–Newton steps of one level, in place on u and v. */
  private refine(prev: F32, cur: F32, width: number, height: number, u: F32, v: F32): void {
    const n = width * height;
    const [gx, gy, warped, wx, wy, xx, yy, xy, xt, yt, t0, t1, t2, t3, t4] = this.buffers(n) as [F32, F32, F32, F32, F32, F32, F32, F32, F32, F32, F32, F32, F32, F32, F32];
    gradients(cur, width, height, gx, gy);
    const win = this.params.window;
    const maxX = width - 1,
      maxY = height - 1;
    for (let it = 0; it < this.params.iterations; it++) {
      // The previous frame warped by the estimate (cur(x) ≈ prev(x − d)), bilinear, clamped to the frame.
      for (let y = 0, i = 0; y < height; y++) {
        for (let x = 0; x < width; x++, i++) {
          let sx = x - u[i]!,
            sy = y - v[i]!;
          sx = sx < 0 ? 0 : sx > maxX ? maxX : sx;
          sy = sy < 0 ? 0 : sy > maxY ? maxY : sy;
          const x0 = sx | 0,
            y0 = sy | 0;
          const x1 = x0 < maxX ? x0 + 1 : x0,
            y1 = y0 < maxY ? y0 + 1 : y0;
          const fx = sx - x0,
            fy = sy - y0;
          const a = prev[y0 * width + x0]!,
            b = prev[y0 * width + x1]!,
            c = prev[y1 * width + x0]!,
            d = prev[y1 * width + x1]!;
          warped[i] = a + fx * (b - a) + fy * (c - a) + fx * fy * (a - b - c + d);
        }
      }
      gradients(warped, width, height, wx, wy);
      for (let i = 0; i < n; i++) {
        const ix = 0.5 * (gx[i]! + wx[i]!),
          iy = 0.5 * (gy[i]! + wy[i]!),
          t = cur[i]! - warped[i]!;
        xy[i] = ix * iy;
        xt[i] = ix * t;
        yt[i] = iy * t;
        xx[i] = ix * ix;
        yy[i] = iy * iy;
      }
      boxMeans([xx, yy, xy, xt, yt], width, height, win, [t0, t1, t2, t3, t4]);
      for (let i = 0; i < n; i++) {
        const a = xx[i]!,
          b = xy[i]!,
          c = yy[i]!,
          p = xt[i]!,
          q = yt[i]!;
        const det = a * c - b * b + DET_EPSILON;
        const du = -(c * p - b * q) / det,
          dv = -(a * q - b * p) / det;
        u[i]! += du > MAX_STEP ? MAX_STEP : du < -MAX_STEP ? -MAX_STEP : du;
        v[i]! += dv > MAX_STEP ? MAX_STEP : dv < -MAX_STEP ? -MAX_STEP : dv;
      }
    }
  }
}
