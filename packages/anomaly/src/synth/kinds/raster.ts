/** What the per-kind painters share: the frame they draw into, alpha blending, and deterministic noise. */
import type { AnomalySpec } from '../schedule.js';

export interface PaintTarget {
  /** Packed RGB24, drawn into in place. */
  rgb: Uint8Array;
  width: number;
  height: number;
  /** One byte per pixel; painters set 1 where the anomaly is visible (the ground-truth mask). */
  mask?: Uint8Array;
}

export type Painter = (target: PaintTarget, spec: AnomalySpec, t: number) => void;

export type Colour = readonly [number, number, number];

/** Blends `colour` over pixel (x, y) with opacity alpha, and marks the mask when alpha reaches `maskAlpha`. */
export function blend(target: PaintTarget, x: number, y: number, colour: Colour, alpha: number, maskAlpha = 0.5): void {
  if (alpha <= 0) return;
  const p = y * target.width + x;
  const i = p * 3;
  const { rgb } = target;
  for (let c = 0; c < 3; c++) rgb[i + c] = Math.round(rgb[i + c]! * (1 - alpha) + colour[c]! * alpha);
  if (target.mask && alpha >= maskAlpha) target.mask[p] = 1;
}

export function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

/** A stable pseudo-random number in [0, 1) for integers (a, b, seed). */
export function hash01(a: number, b: number, seed: number): number {
  let h = Math.imul(a | 0, 0x27d4eb2d) ^ Math.imul(b | 0, 0x165667b1) ^ Math.imul(seed | 0, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

/** Smooth value noise in [0, 1) at (x, y) in lattice units. */
export function valueNoise(x: number, y: number, seed: number): number {
  const x0 = Math.floor(x),
    y0 = Math.floor(y);
  const fx = x - x0,
    fy = y - y0;
  const sx = fx * fx * (3 - 2 * fx),
    sy = fy * fy * (3 - 2 * fy);
  const a = hash01(x0, y0, seed),
    b = hash01(x0 + 1, y0, seed);
  const c = hash01(x0, y0 + 1, seed),
    d = hash01(x0 + 1, y0 + 1, seed);
  return (a + (b - a) * sx) * (1 - sy) + (c + (d - c) * sx) * sy;
}

/** A seed that is a pure function of the spec, so each injected object has its own look, reproducibly. */
export function specSeed(spec: AnomalySpec): number {
  const s = JSON.stringify(spec);
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Pixel bounds of a box centred at (cx, cy) px with half sizes (hw, hh), clipped to the frame. */
export function pixelBounds(target: PaintTarget, cx: number, cy: number, hw: number, hh: number): { x0: number; x1: number; y0: number; y1: number } {
  return {
    x0: Math.max(0, Math.floor(cx - hw)),
    x1: Math.min(target.width - 1, Math.ceil(cx + hw)),
    y0: Math.max(0, Math.floor(cy - hh)),
    y1: Math.min(target.height - 1, Math.ceil(cy + hh)),
  };
}

/** Distance from p to the segment a–b. */
export function segmentDistance(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax,
    dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const k = len2 > 0 ? clamp01(((px - ax) * dx + (py - ay) * dy) / len2) : 0;
  return Math.hypot(px - ax - k * dx, py - ay - k * dy);
}
