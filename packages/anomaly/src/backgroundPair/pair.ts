/**
 * The long-/short-term background pair of one camera — dense state updated by every analysed frame,
 * so it lives where the camera does (the ingest pipeline) and travels with each frame; offline paths
 * rebuild it with `withBackgrounds` by running the very same class over the frames in order.
 * Long: an approximate running median (sigma-delta; McFarlane & Schofield 1995, "Segmentation and
 * tracking of piglets in images"): each frame moves it a fixed step toward the pixel, so passing
 * traffic (present < half the time) never enters it, and a change that persists is absorbed over about
 * `longSeconds`. Short: an exponential moving average over about `shortSeconds`.
 */
import type { BackgroundImages, FrameInput } from '../frameInput.js';

export interface BackgroundPairOptions {
  /** Seconds the long background takes to absorb a full-contrast (100 levels) persistent change. Default 60. */
  longSeconds?: number;
  /** Time constant of the short background. Default 2. */
  shortSeconds?: number;
  /** Analysed frames per second of the camera. Default 5. */
  fps?: number;
}

/** Size in bytes of one background image of a `width × height` frame. */
export function backgroundBytes(width: number, height: number): number {
  return Math.floor(width / 2) * Math.floor(height / 2) * 3;
}

/** 2×2 box-downscaled RGB of a packed RGB frame, into `out` (⌊W/2⌋ × ⌊H/2⌋ × 3). */
export function halfResRgb(rgb: Uint8Array, width: number, height: number, out: Float32Array): Float32Array {
  const w = Math.floor(width / 2),
    h = Math.floor(height / 2);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const a = (2 * y * width + 2 * x) * 3,
        b = a + width * 3;
      const o = (y * w + x) * 3;
      for (let c = 0; c < 3; c++) out[o + c] = 0.25 * (rgb[a + c]! + rgb[a + 3 + c]! + rgb[b + c]! + rgb[b + 3 + c]!);
    }
  }
  return out;
}

export class BackgroundPair {
  private readonly long: Float32Array;
  private readonly short: Float32Array;
  private readonly half: Float32Array;
  private readonly longStep: number;
  private readonly shortRate: number;
  private readonly fps: number;
  private frames = 0;

  constructor(
    readonly width: number,
    readonly height: number,
    options: BackgroundPairOptions = {},
  ) {
    const fps = options.fps ?? 5,
      longSeconds = options.longSeconds ?? 60,
      shortSeconds = options.shortSeconds ?? 2;
    if (!(fps > 0 && longSeconds > 0 && shortSeconds > 0)) throw new RangeError(`background pair needs positive fps and seconds, got ${JSON.stringify(options)}`);
    const n = backgroundBytes(width, height);
    if (n === 0) throw new RangeError(`frame ${width}x${height} is too small for a background pair`);
    this.long = new Float32Array(n);
    this.short = new Float32Array(n);
    this.half = new Float32Array(n);
    this.fps = fps;
    this.longStep = 100 / (longSeconds * fps);
    this.shortRate = Math.min(1, 1 / (shortSeconds * fps));
  }

  get age(): number {
    return this.frames;
  }

  /** The pair as it stood before this frame (undefined for the first), then folds the frame in. */
  next(rgb: Uint8Array): BackgroundImages | undefined {
    const need = this.width * this.height * 3;
    if (rgb.length < need) throw new RangeError(`frame has ${rgb.length} bytes, expected ${need} (${this.width}x${this.height} RGB)`);
    const before = this.frames > 0 ? this.snapshot() : undefined;
    const { long, short, half } = this;
    halfResRgb(rgb, this.width, this.height, half);
    if (this.frames === 0) {
      long.set(half);
      short.set(half);
    } else {
      // Large steps while young (a running median of the first frames), then the fixed long-term step.
      const step = Math.max(this.longStep, 50 / this.frames);
      const rate = Math.max(this.shortRate, 1 / (this.frames + 1));
      for (let i = 0; i < half.length; i++) {
        const v = half[i]!,
          l = long[i]!;
        long[i] = v > l ? Math.min(v, l + step) : Math.max(v, l - step);
        short[i] = short[i]! + rate * (v - short[i]!);
      }
    }
    this.frames++;
    return before;
  }

  snapshot(): BackgroundImages {
    return { long: toBytes(this.long), short: toBytes(this.short), age: this.frames, seconds: this.frames / this.fps };
  }
}

function toBytes(a: Float32Array): Uint8Array {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = Math.round(a[i]!);
  return out;
}

/** Runs a BackgroundPair over consecutive frames of one camera, in order, attaching each frame's pair (offline paths). */
export function withBackgrounds(frames: FrameInput[], options: BackgroundPairOptions = {}): FrameInput[] {
  let pair: BackgroundPair | undefined;
  return frames.map((f) => {
    if (!pair || pair.width !== f.width || pair.height !== f.height) pair = new BackgroundPair(f.width, f.height, options);
    const background = pair.next(f.data);
    return background ? { ...f, background } : { ...f };
  });
}

/** Wire format beside a frame in Redis: age in frames (uint32 LE), age in seconds (float32 LE), then the long image, then the short one. */
export function packBackground(bg: BackgroundImages): Uint8Array {
  const out = new Uint8Array(8 + bg.long.length + bg.short.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, bg.age, true);
  view.setFloat32(4, bg.seconds ?? 0, true);
  out.set(bg.long, 8);
  out.set(bg.short, 8 + bg.long.length);
  return out;
}

/** The pair packed by `packBackground` for a `width × height` frame, or undefined when the bytes do not fit that size. */
export function unpackBackground(bytes: Uint8Array, width: number, height: number): BackgroundImages | undefined {
  const n = backgroundBytes(width, height);
  if (bytes.length !== 8 + 2 * n) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, 8);
  return { age: view.getUint32(0, true), seconds: view.getFloat32(4, true), long: bytes.subarray(8, 8 + n), short: bytes.subarray(8 + n, 8 + 2 * n) };
}
