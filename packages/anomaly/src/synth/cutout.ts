/**
 * Real objects for synthetic anomalies: a vehicle or person cut out of real footage, to be pasted into
 * another scene (drawn shapes are too easy to be evidence). The scene's background is the per-pixel
 * median over its frames (traffic passes, the road stays); an object is a connected set of pixels that
 * differ from it, cleaned by a closing; the cutout keeps the object's pixels and a soft alpha matte.
 * Pasting scales it bilinearly to the size wanted and blends it by its matte.
 */

export interface Cutout {
  width: number;
  height: number;
  /** Packed RGB of the object's bounding box. */
  rgb: Uint8Array;
  /** 0–1 per pixel: how much of the pixel is the object. */
  alpha: Float32Array;
  /** Where it was, in pixels of its source frame. */
  source: { frame: number; x: number; y: number };
}

export interface CutoutOptions {
  /** A pixel differs from the background by more than this (sum over RGB of absolute differences). */
  threshold?: number;
  /** Fewest pixels an object has. */
  minPixels?: number;
  /** Objects touching the frame's border within this margin (px) are only partly seen: skipped. */
  borderMargin?: number;
}

/** Per-pixel, per-channel median of frames (packed RGB of one size). */
export function medianBackground(frames: Uint8Array[], width: number, height: number): Uint8Array {
  if (frames.length === 0) throw new RangeError('median background of no frames');
  const n = width * height * 3;
  const out = new Uint8Array(n);
  const hist = new Uint16Array(256);
  const half = frames.length / 2;
  for (let i = 0; i < n; i++) {
    hist.fill(0);
    for (const f of frames) hist[f[i]!]!++;
    let acc = 0,
      v = 0;
    while (v < 255 && acc + hist[v]! < half) acc += hist[v++]!;
    out[i] = v;
  }
  return out;
}

/** Pixels of `frame` that differ from `background`, closed (3 × 3 dilation then erosion) so an object's holes fill. */
export function foregroundMask(frame: Uint8Array, background: Uint8Array, width: number, height: number, threshold: number): Uint8Array {
  const raw = new Uint8Array(width * height);
  for (let i = 0; i < raw.length; i++) {
    const d = Math.abs(frame[i * 3]! - background[i * 3]!) + Math.abs(frame[i * 3 + 1]! - background[i * 3 + 1]!) + Math.abs(frame[i * 3 + 2]! - background[i * 3 + 2]!);
    raw[i] = d > threshold ? 1 : 0;
  }
  return morph(morph(raw, width, height, 1), width, height, 0);
}

/** One 3 × 3 dilation (`set` 1) or erosion (`set` 0). */
function morph(mask: Uint8Array, width: number, height: number, set: 0 | 1): Uint8Array {
  const out = new Uint8Array(mask.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let v = 1 - set;
      for (let dy = -1; dy <= 1 && v !== set; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const xx = Math.min(width - 1, Math.max(0, x + dx)),
            yy = Math.min(height - 1, Math.max(0, y + dy));
          if (mask[yy * width + xx] === set) {
            v = set;
            break;
          }
        }
      }
      out[y * width + x] = v;
    }
  }
  return out;
}

/** A connected set of foreground pixels: its pixel indices and bounding box. */
export interface Component {
  pixels: number[];
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** The 4-connected components of a mask with at least `minPixels` pixels that stay clear of the border by `margin`. */
export function objectComponents(mask: Uint8Array, width: number, height: number, margin: number, minPixels: number): Component[] {
  const seen = new Uint8Array(mask.length);
  const out: Component[] = [];
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || seen[start]) continue;
    const c: Component = { pixels: [], x0: width, y0: height, x1: 0, y1: 0 };
    const stack = [start];
    seen[start] = 1;
    while (stack.length) {
      const i = stack.pop()!;
      c.pixels.push(i);
      const x = i % width,
        y = (i - x) / width;
      if (x < c.x0) c.x0 = x;
      if (x > c.x1) c.x1 = x;
      if (y < c.y0) c.y0 = y;
      if (y > c.y1) c.y1 = y;
      for (const j of [x > 0 ? i - 1 : -1, x < width - 1 ? i + 1 : -1, y > 0 ? i - width : -1, y < height - 1 ? i + width : -1]) {
        if (j >= 0 && mask[j] && !seen[j]) {
          seen[j] = 1;
          stack.push(j);
        }
      }
    }
    const touches = c.x0 < margin || c.y0 < margin || c.x1 >= width - margin || c.y1 >= height - margin;
    if (!touches && c.pixels.length >= minPixels) out.push(c);
  }
  return out;
}

/**
 * The largest whole object in any of `frames` against their median background, cut out with a matte
 * (1 inside, feathered over one pixel at its edge). Undefined when no frame holds an object of `minPixels`.
 */
export function cutOutLargestObject(frames: Uint8Array[], width: number, height: number, options: CutoutOptions = {}): Cutout | undefined {
  const threshold = options.threshold ?? 90,
    minPixels = options.minPixels ?? 200,
    margin = options.borderMargin ?? 2;
  const background = medianBackground(frames, width, height);
  let best: { frame: number; component: Component } | undefined;
  frames.forEach((frame, k) => {
    for (const component of objectComponents(foregroundMask(frame, background, width, height, threshold), width, height, margin, minPixels)) {
      if (component.pixels.length > (best?.component.pixels.length ?? 0)) best = { frame: k, component };
    }
  });
  return best ? cutOut(frames[best.frame]!, width, best.component, best.frame) : undefined;
}

/** A component of frame `frameIndex` cut out: its box's pixels, and a matte that is half at the object's edge. */
export function cutOut(frame: Uint8Array, width: number, component: Component, frameIndex: number): Cutout {
  const { x0, y0, x1, y1 } = component;
  const w = x1 - x0 + 1,
    h = y1 - y0 + 1;
  // The object's pixels over its box and a one-pixel rim (never object): tracking cuts out every
  // object of every frame, so nothing here is the size of the frame.
  const pw = w + 2;
  const inObject = new Uint8Array(pw * (h + 2));
  for (const i of component.pixels) {
    const x = i % width;
    inObject[((i - x) / width - y0 + 1) * pw + x - x0 + 1] = 1;
  }
  const rgb = new Uint8Array(w * h * 3),
    alpha = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y0 + y) * width + x0 + x;
      rgb.set(frame.subarray(i * 3, i * 3 + 3), (y * w + x) * 3);
      const k = (y + 1) * pw + x + 1;
      if (!inObject[k]) continue;
      // Feather: an object pixel next to a background pixel is half object.
      const edge = !inObject[k - 1] || !inObject[k + 1] || !inObject[k - pw] || !inObject[k + pw];
      alpha[y * w + x] = edge ? 0.5 : 1;
    }
  }
  return { width: w, height: h, rgb, alpha, source: { frame: frameIndex, x: x0, y: y0 } };
}

/**
 * Blends `cutout`, scaled to `box` (pixels of the frame), into a packed RGB frame in place; `mask` (one
 * byte per pixel), when given, gets 1 where the pasted object covers at least half the pixel.
 */
export function pasteCutout(frame: Uint8Array, width: number, height: number, cutout: Cutout, box: { x: number; y: number; width: number; height: number }, mask?: Uint8Array): void {
  const sx = cutout.width / box.width,
    sy = cutout.height / box.height;
  for (let y = Math.max(0, Math.floor(box.y)); y < Math.min(height, Math.ceil(box.y + box.height)); y++) {
    for (let x = Math.max(0, Math.floor(box.x)); x < Math.min(width, Math.ceil(box.x + box.width)); x++) {
      // Bilinear sample of the cutout at the pixel's centre.
      const u = Math.min(cutout.width - 1, Math.max(0, (x + 0.5 - box.x) * sx - 0.5));
      const v = Math.min(cutout.height - 1, Math.max(0, (y + 0.5 - box.y) * sy - 0.5));
      const u0 = Math.floor(u),
        v0 = Math.floor(v),
        u1 = Math.min(cutout.width - 1, u0 + 1),
        v1 = Math.min(cutout.height - 1, v0 + 1);
      const fu = u - u0,
        fv = v - v0;
      const wts = [(1 - fu) * (1 - fv), fu * (1 - fv), (1 - fu) * fv, fu * fv];
      const idx = [v0 * cutout.width + u0, v0 * cutout.width + u1, v1 * cutout.width + u0, v1 * cutout.width + u1];
      let a = 0;
      const c = [0, 0, 0];
      idx.forEach((k, t) => {
        const wa = wts[t]! * cutout.alpha[k]!;
        a += wa;
        for (let ch = 0; ch < 3; ch++) c[ch]! += wa * cutout.rgb[k * 3 + ch]!;
      });
      if (a <= 0) continue;
      if (mask && a >= 0.5) mask[y * width + x] = 1;
      const o = (y * width + x) * 3;
      for (let ch = 0; ch < 3; ch++) frame[o + ch] = Math.round((1 - a) * frame[o + ch]! + c[ch]!);
    }
  }
}
