/**
 * 'haze': smoke-like haze over part of the frame — a grey, semi-transparent, billowing patch that fades
 * in, spreads to its full size over `enterSeconds` and rises slowly. The mask marks where it is dense
 * enough to see (opacity ≥ 0.2).
 */
import { anomalyCentreAt, anomalySizeAt, type AnomalySpec } from '../schedule.js';
import { blend, clamp01, pixelBounds, specSeed, valueNoise, type Colour, type PaintTarget } from './raster.js';

const SMOKE: Colour[] = [
  [205, 205, 210],
  [150, 150, 155],
  [185, 180, 170],
];
const MAX_ALPHA = 0.75;
export const HAZE_MASK_ALPHA = 0.2;

export function paintHaze(target: PaintTarget, spec: AnomalySpec, t: number): void {
  const centre = anomalyCentreAt(spec, t);
  if (!centre) return;
  const { width, height } = target;
  const seed = specSeed(spec);
  const colour = SMOKE[seed % SMOKE.length]!;
  const size = anomalySizeAt(spec, t);
  const dt = t - spec.startSeconds;
  const fadeIn = clamp01(dt / 1.5);
  const cx = centre.x * width,
    cy = centre.y * height;
  const hw = (size.width * width) / 2,
    hh = (size.height * height) / 2;
  const rise = dt * 6; // texture drifts up 6 px/s
  const { x0, x1, y0, y1 } = pixelBounds(target, cx, cy, hw, hh);
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const rho = Math.hypot((x + 0.5 - cx) / hw, (y + 0.5 - cy) / hh);
      if (rho >= 1) continue;
      const edge = clamp01((1 - rho) / 0.45);
      const billow = 0.55 * valueNoise(x / 14, (y + rise) / 14, seed) + 0.45 * valueNoise(x / 6, (y + rise * 1.5) / 6, seed + 1);
      const alpha = MAX_ALPHA * fadeIn * edge * edge * (3 - 2 * edge) * (0.35 + 0.65 * billow);
      blend(target, x, y, colour, alpha, HAZE_MASK_ALPHA);
    }
  }
}
