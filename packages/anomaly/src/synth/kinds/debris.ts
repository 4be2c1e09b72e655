/**
 * 'debris': a small irregular object lying still in a lane (a lost tyre tread, a box, a bag): a blob whose
 * outline wobbles with angle, dark, bright or cardboard-brown per spec, with a mottled surface.
 */
import { anomalyCentreAt, type AnomalySpec } from '../schedule.js';
import { blend, clamp01, pixelBounds, specSeed, valueNoise, type Colour, type PaintTarget } from './raster.js';

const COLOURS: Colour[] = [
  [38, 34, 32],
  [232, 228, 215],
  [150, 108, 66],
];

export function paintDebris(target: PaintTarget, spec: AnomalySpec, t: number): void {
  const centre = anomalyCentreAt(spec, t);
  if (!centre) return;
  const { width, height } = target;
  const seed = specSeed(spec);
  const colour = COLOURS[seed % COLOURS.length]!;
  const phases = [1, 2, 3].map((k) => ((seed >>> (k * 5)) % 628) / 100);
  const cx = centre.x * width,
    cy = centre.y * height;
  const hw = (spec.size.width * width) / 2,
    hh = (spec.size.height * height) / 2;
  const scale = Math.min(hw, hh);
  const { x0, x1, y0, y1 } = pixelBounds(target, cx, cy, hw, hh);
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const u = (x + 0.5 - cx) / hw,
        v = (y + 0.5 - cy) / hh;
      const theta = Math.atan2(v, u);
      // Outline radius in [~0.5, 1], so the blob stays inside its box.
      const r = (1 + 0.28 * Math.sin(3 * theta + phases[0]!) + 0.14 * Math.sin(5 * theta + phases[1]!) + 0.08 * Math.sin(7 * theta + phases[2]!)) / 1.5;
      const alpha = clamp01(0.5 - (Math.hypot(u, v) - r) * scale);
      if (alpha <= 0) continue;
      const mottle = 0.75 + 0.5 * valueNoise(x / 2.5, y / 2.5, seed);
      blend(target, x, y, [Math.min(255, colour[0] * mottle), Math.min(255, colour[1] * mottle), Math.min(255, colour[2] * mottle)], alpha);
    }
  }
}
