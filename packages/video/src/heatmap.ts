/**
 * Anomaly map → RGB image for snapshots and reports: the patch map upsampled bilinearly to the frame,
 * coloured with Google's Turbo colormap (Mikhailov 2019, polynomial approximation), optionally blended
 * over the analysed frame. Scores are scaled so the threshold (1) lands on yellow-orange and anything
 * below half of it stays in the blues, so "over threshold" reads at a glance.
 */
import type { FrameSize, ScoreMap } from '@vigil/core';

export interface HeatmapOptions {
  /** Packed rgb24 frame (`width × height × 3`) to blend under the colours; without it the colours are opaque. */
  frame?: Uint8Array;
  /** Score shown as the hottest colour. Default 2 (twice the threshold). */
  maxScore?: number;
  /** Opacity of the colours over the frame at the hottest score; it falls with the score so normal areas stay visible. Default 0.75. */
  opacity?: number;
}

/** Where on the colormap (0–1) the threshold sits: yellow-orange, between the greens and the reds. */
export const HEATMAP_THRESHOLD_POSITION = 0.62;

/** Turbo colormap, t in [0, 1] → 0–255 RGB (polynomial fit published with the colormap). */
export function turbo(t: number): [number, number, number] {
  const x = t < 0 ? 0 : t > 1 ? 1 : t;
  const r = 0.13572138 + x * (4.6153926 + x * (-42.66032258 + x * (132.13108234 + x * (-152.94239396 + x * 59.28637943))));
  const g = 0.09140261 + x * (2.19418839 + x * (4.84296658 + x * (-14.18503333 + x * (4.27729857 + x * 2.82956604))));
  const b = 0.1066733 + x * (12.64194608 + x * (-60.58204836 + x * (110.36276771 + x * (-89.90310912 + x * 27.34824973))));
  const byte = (v: number) => Math.round(255 * (v < 0 ? 0 : v > 1 ? 1 : v));
  return [byte(r), byte(g), byte(b)];
}

/** Score → colormap position: quadratic below the threshold (noise stays blue), linear from it up to `maxScore` (dark red). */
function position(score: number, maxScore: number): number {
  if (!(score > 0)) return 0;
  if (score < 1) return HEATMAP_THRESHOLD_POSITION * score * score;
  if (maxScore <= 1) return 1;
  return Math.min(1, HEATMAP_THRESHOLD_POSITION + ((1 - HEATMAP_THRESHOLD_POSITION) * (score - 1)) / (maxScore - 1));
}

/**
 * Renders `map` to a `width × height` rgb24 image. The map covers `covered` pixels from the top-left
 * (the detector's grid may not divide the frame); pixels outside it get score 0.
 */
export function renderHeatmap(map: ScoreMap, width: number, height: number, covered: FrameSize = { width, height }, options: HeatmapOptions = {}): Uint8Array {
  const { cols, rows, data } = map;
  if (data.length !== cols * rows) throw new RangeError(`renderHeatmap: map has ${data.length} values, expected ${cols}x${rows}`);
  if (!(Number.isInteger(width) && width > 0 && Number.isInteger(height) && height > 0)) throw new RangeError(`renderHeatmap: bad size ${width}x${height}`);
  const frame = options.frame;
  if (frame && frame.length !== width * height * 3) throw new RangeError(`renderHeatmap: frame has ${frame.length} bytes, not ${width}x${height} rgb24`);
  const maxScore = options.maxScore ?? 2;
  const opacity = options.opacity ?? 0.75;
  const coveredW = Math.min(width, covered.width),
    coveredH = Math.min(height, covered.height);

  // 256-entry lookup: scores are quantised to the colormap's resolution anyway.
  const lut = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) lut.set(turbo(i / 255), i * 3);

  const out = new Uint8Array(width * height * 3);
  const cellW = coveredW / cols,
    cellH = coveredH / rows;
  for (let y = 0; y < height; y++) {
    // Bilinear between cell centres, clamped at the grid's edges.
    const gy = Math.min(rows - 1, Math.max(0, (y + 0.5) / cellH - 0.5));
    const y0 = Math.floor(gy),
      y1 = Math.min(rows - 1, y0 + 1),
      fy = gy - y0;
    for (let x = 0; x < width; x++) {
      let score = 0;
      if (x < coveredW && y < coveredH) {
        const gx = Math.min(cols - 1, Math.max(0, (x + 0.5) / cellW - 0.5));
        const x0 = Math.floor(gx),
          x1 = Math.min(cols - 1, x0 + 1),
          fx = gx - x0;
        const top = data[y0 * cols + x0]! * (1 - fx) + data[y0 * cols + x1]! * fx;
        const bottom = data[y1 * cols + x0]! * (1 - fx) + data[y1 * cols + x1]! * fx;
        score = top * (1 - fy) + bottom * fy;
      }
      const p = position(score, maxScore);
      const c = Math.round(p * 255) * 3;
      const o = (y * width + x) * 3;
      if (!frame) {
        out[o] = lut[c]!;
        out[o + 1] = lut[c + 1]!;
        out[o + 2] = lut[c + 2]!;
        continue;
      }
      // Low scores tint the frame lightly; hot areas are mostly colour.
      const a = opacity * (0.35 + 0.65 * p);
      for (let k = 0; k < 3; k++) out[o + k] = Math.round(frame[o + k]! * (1 - a) + lut[c + k]! * a);
    }
  }
  return out;
}
