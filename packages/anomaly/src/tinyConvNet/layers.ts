/**
 * A small convolutional network computed in plain TypeScript, forward and backward, one sample at a
 * time (planar CHW). Why not tfjs: its pure-JS 'cpu' backend — the only one here with training
 * kernels — computes a 3×3 conv gradient of a 16×44×80×16 batch in ~95 s of CPU time, a plain loop in
 * well under one; the wasm backend has no gradients at all. Inference runs the same weights on tfjs
 * (tfForward.ts), so GPU and wasm serve the fitted net. Weight layout is tfjs' conv2d filter layout,
 * [kernel, kernel, inC, outC]; padding is TF's 'same' (output ⌈in/stride⌉, the odd pixel padded after).
 */

export type Activation = 'relu' | 'leaky' | 'linear';
/** Slope of 'leaky' below 0: unbounded both ways, as Deep SVDD asks of its activations. */
export const LEAKY_ALPHA = 0.1;

export interface ConvLayer {
  type: 'conv';
  inC: number;
  outC: number;
  kernel: number;
  stride: 1 | 2;
  bias: boolean;
  activation: Activation;
}
/** Nearest-neighbour ×2 upsampling (tf.image.resizeNearestNeighbor without corner alignment). */
export interface UpsampleLayer {
  type: 'upsample2';
}
export type LayerSpec = ConvLayer | UpsampleLayer;

export interface Shape {
  h: number;
  w: number;
  c: number;
}

export function conv(inC: number, outC: number, opts: Partial<Omit<ConvLayer, 'type' | 'inC' | 'outC'>> = {}): ConvLayer {
  return { type: 'conv', inC, outC, kernel: opts.kernel ?? 3, stride: opts.stride ?? 1, bias: opts.bias ?? true, activation: opts.activation ?? 'relu' };
}

export const upsample2: UpsampleLayer = { type: 'upsample2' };

/** TF 'same' geometry of one axis. */
export function samePadding(size: number, kernel: number, stride: number): { out: number; before: number } {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + kernel - size, 0);
  return { out, before: Math.floor(total / 2) };
}

export function outputShape(layers: readonly LayerSpec[], input: Shape): Shape {
  let s = input;
  for (const l of layers) {
    if (l.type === 'upsample2') s = { h: s.h * 2, w: s.w * 2, c: s.c };
    else {
      if (l.inC !== s.c) throw new RangeError(`layer expects ${l.inC} channels, gets ${s.c}`);
      s = { h: samePadding(s.h, l.kernel, l.stride).out, w: samePadding(s.w, l.kernel, l.stride).out, c: l.outC };
    }
  }
  return s;
}

/** Shapes of the parameter arrays, in order: per conv layer its kernel, then its bias if it has one. */
export function paramShapes(layers: readonly LayerSpec[]): number[][] {
  const shapes: number[][] = [];
  for (const l of layers) {
    if (l.type !== 'conv') continue;
    shapes.push([l.kernel, l.kernel, l.inC, l.outC]);
    if (l.bias) shapes.push([l.outC]);
  }
  return shapes;
}

/** Deterministic uniform [0, 1) (mulberry32): a fit of the same frames gives the same network. */
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

/** He-normal kernels (Box–Muller), zero biases. */
export function initParams(layers: readonly LayerSpec[], random: () => number): Float32Array[] {
  const params: Float32Array[] = [];
  for (const l of layers) {
    if (l.type !== 'conv') continue;
    const fanIn = l.kernel * l.kernel * l.inC;
    const gain = l.activation === 'linear' ? 1 : 2 / (1 + (l.activation === 'leaky' ? LEAKY_ALPHA ** 2 : 0));
    const sd = Math.sqrt(gain / fanIn);
    const w = new Float32Array(fanIn * l.outC);
    for (let i = 0; i < w.length; i++) w[i] = sd * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    params.push(w);
    if (l.bias) params.push(new Float32Array(l.outC));
  }
  return params;
}

/** Activations of one forward pass, kept for the backward pass. */
export interface Trace {
  shapes: Shape[];
  values: Float32Array[];
}

/** Forward pass of one sample; `input` is planar (CHW: channel-major, then rows). */
export function forward(layers: readonly LayerSpec[], params: readonly Float32Array[], input: Float32Array, shape: Shape): Trace {
  const trace: Trace = { shapes: [shape], values: [input] };
  let p = 0;
  let x = input,
    s = shape;
  for (const l of layers) {
    if (l.type === 'upsample2') {
      const o = { h: s.h * 2, w: s.w * 2, c: s.c };
      const y = new Float32Array(o.h * o.w * o.c);
      for (let c = 0; c < s.c; c++) {
        for (let yy = 0; yy < o.h; yy++) {
          const src = (c * s.h + (yy >> 1)) * s.w,
            dst = (c * o.h + yy) * o.w;
          for (let xx = 0; xx < o.w; xx++) y[dst + xx] = x[src + (xx >> 1)]!;
        }
      }
      x = y;
      s = o;
    } else {
      const w = params[p++]!;
      const b = l.bias ? params[p++]! : null;
      const r = convForward(l, w, b, x, s);
      x = r.y;
      s = r.shape;
    }
    trace.shapes.push(s);
    trace.values.push(x);
  }
  return trace;
}

/** Valid output columns [lo, hi) for kernel column kx: those reading inside the input row. */
function validRange(outSize: number, inSize: number, k: number, stride: number, before: number): [number, number] {
  // input index = o * stride + k − before ∈ [0, inSize)
  const lo = Math.max(0, Math.ceil((before - k) / stride));
  const hi = Math.min(outSize, Math.floor((inSize - 1 + before - k) / stride) + 1);
  return [lo, Math.max(lo, hi)];
}

// Planar layout keeps every inner loop a long run over one row of pixels, which V8 compiles well;
// channels-last inner loops over 3–16 channels ran 3–10× slower.
function convForward(l: ConvLayer, w: Float32Array, b: Float32Array | null, x: Float32Array, s: Shape): { y: Float32Array; shape: Shape } {
  const { kernel: K, stride: S, outC: OC } = l;
  const IC = s.c,
    IH = s.h,
    IW = s.w;
  const ph = samePadding(IH, K, S),
    pw = samePadding(IW, K, S);
  const OH = ph.out,
    OW = pw.out;
  const y = new Float32Array(OH * OW * OC);
  for (let o = 0; o < OC; o++) {
    const yo = o * OH * OW;
    if (b) y.fill(b[o]!, yo, yo + OH * OW);
    for (let c = 0; c < IC; c++) {
      const xc = c * IH * IW;
      for (let ky = 0; ky < K; ky++) {
        const [oy0, oy1] = validRange(OH, IH, ky, S, ph.before);
        for (let kx = 0; kx < K; kx++) {
          const wv = w[((ky * K + kx) * IC + c) * OC + o]!;
          if (wv === 0) continue;
          const [ox0, ox1] = validRange(OW, IW, kx, S, pw.before);
          for (let oy = oy0; oy < oy1; oy++) {
            const yr = yo + oy * OW;
            const xr = xc + (oy * S + ky - ph.before) * IW + kx - pw.before;
            if (S === 1) for (let ox = ox0; ox < ox1; ox++) y[yr + ox]! += wv * x[xr + ox]!;
            else for (let ox = ox0; ox < ox1; ox++) y[yr + ox]! += wv * x[xr + ox * S]!;
          }
        }
      }
    }
  }
  const act = l.activation;
  if (act === 'relu') for (let i = 0; i < y.length; i++) y[i] = y[i]! > 0 ? y[i]! : 0;
  else if (act === 'leaky') for (let i = 0; i < y.length; i++) y[i] = y[i]! > 0 ? y[i]! : LEAKY_ALPHA * y[i]!;
  return { y, shape: { h: OH, w: OW, c: OC } };
}

/**
 * Accumulates into `grads` (same order as params) the gradient of the loss whose gradient with
 * respect to the net's output is `dOut` (planar). `dOut` is consumed (overwritten).
 */
export function backward(layers: readonly LayerSpec[], params: readonly Float32Array[], trace: Trace, dOut: Float32Array, grads: Float32Array[]): void {
  const paramIndex: number[] = [];
  let p = 0;
  for (const l of layers) {
    paramIndex.push(p);
    if (l.type === 'conv') p += l.bias ? 2 : 1;
  }
  let d = dOut;
  for (let i = layers.length - 1; i >= 0; i--) {
    const l = layers[i]!;
    const s = trace.shapes[i]!,
      x = trace.values[i]!;
    const o = trace.shapes[i + 1]!,
      y = trace.values[i + 1]!;
    if (l.type === 'upsample2') {
      const dx = new Float32Array(s.h * s.w * s.c);
      for (let c = 0; c < s.c; c++) {
        for (let yy = 0; yy < o.h; yy++) {
          const dst = (c * s.h + (yy >> 1)) * s.w,
            src = (c * o.h + yy) * o.w;
          for (let xx = 0; xx < o.w; xx++) dx[dst + (xx >> 1)]! += d[src + xx]!;
        }
      }
      d = dx;
      continue;
    }
    const pi = paramIndex[i]!;
    const w = params[pi]!,
      gw = grads[pi]!,
      gb = l.bias ? grads[pi + 1]! : null;
    // Through the activation, from the sign of its output (both keep the sign of their input).
    if (l.activation === 'relu')
      for (let k = 0; k < d.length; k++) {
        if (!(y[k]! > 0)) d[k] = 0;
      }
    else if (l.activation === 'leaky')
      for (let k = 0; k < d.length; k++) {
        if (!(y[k]! > 0)) d[k]! *= LEAKY_ALPHA;
      }
    const { kernel: K, stride: S, outC: OC } = l;
    const IC = s.c,
      IH = s.h,
      IW = s.w,
      OH = o.h,
      OW = o.w;
    const ph = samePadding(IH, K, S),
      pw = samePadding(IW, K, S);
    const dx = i > 0 ? new Float32Array(IH * IW * IC) : null;
    for (let q = 0; q < OC; q++) {
      const dq = q * OH * OW;
      if (gb) {
        let sum = 0;
        for (let k = dq; k < dq + OH * OW; k++) sum += d[k]!;
        gb[q]! += sum;
      }
      for (let c = 0; c < IC; c++) {
        const xc = c * IH * IW;
        for (let ky = 0; ky < K; ky++) {
          const [oy0, oy1] = validRange(OH, IH, ky, S, ph.before);
          for (let kx = 0; kx < K; kx++) {
            const wi = ((ky * K + kx) * IC + c) * OC + q;
            const wv = w[wi]!;
            const [ox0, ox1] = validRange(OW, IW, kx, S, pw.before);
            let g = 0;
            for (let oy = oy0; oy < oy1; oy++) {
              const dr = dq + oy * OW;
              const xr = xc + (oy * S + ky - ph.before) * IW + kx - pw.before;
              if (S === 1) {
                for (let ox = ox0; ox < ox1; ox++) g += d[dr + ox]! * x[xr + ox]!;
                if (dx) for (let ox = ox0; ox < ox1; ox++) dx[xr + ox]! += wv * d[dr + ox]!;
              } else {
                for (let ox = ox0; ox < ox1; ox++) g += d[dr + ox]! * x[xr + ox * S]!;
                if (dx) for (let ox = ox0; ox < ox1; ox++) dx[xr + ox * S]! += wv * d[dr + ox]!;
              }
            }
            gw[wi]! += g;
          }
        }
      }
    }
    if (!dx) return;
    d = dx;
  }
}

/** Channels-last (NHWC, as tfjs) → planar (CHW). */
export function toPlanar(x: ArrayLike<number>, s: Shape, out = new Float32Array(s.h * s.w * s.c)): Float32Array {
  const n = s.h * s.w;
  for (let i = 0; i < n; i++) for (let c = 0; c < s.c; c++) out[c * n + i] = x[i * s.c + c]!;
  return out;
}
