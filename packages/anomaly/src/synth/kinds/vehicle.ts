/**
 * 'stopped-vehicle' and 'wrong-way': a vehicle-sized rounded body of saturated orange with magenta trim
 * and dark diagonal stripes, edges feathered over a few pixels so it is not a hard-edged sticker.
 */
import { anomalyCentreAt, type AnomalySpec } from '../schedule.js';
import { blend, clamp01, pixelBounds, type Colour, type PaintTarget } from './raster.js';

const BODY: Colour = [255, 120, 10];
const TRIM: Colour = [230, 30, 200];
const STRIPE: Colour = [35, 20, 30];

export function paintVehicle(target: PaintTarget, spec: AnomalySpec, t: number): void {
  const centre = anomalyCentreAt(spec, t);
  if (!centre) return;
  const { width, height } = target;
  const cx = centre.x * width,
    cy = centre.y * height;
  const hw = (spec.size.width * width) / 2,
    hh = (spec.size.height * height) / 2;
  const radius = Math.min(hw, hh) * 0.45;
  const feather = Math.max(1.5, Math.min(hw, hh) * 0.15);
  const stripePeriod = Math.max(6, hw / 3);
  const { x0, x1, y0, y1 } = pixelBounds(target, cx, cy, hw, hh);

  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const u = x + 0.5 - cx,
        v = y + 0.5 - cy;
      // Signed distance to a rounded rectangle (negative inside).
      const qx = Math.abs(u) - (hw - radius),
        qy = Math.abs(v) - (hh - radius);
      const outside = Math.hypot(Math.max(qx, 0), Math.max(qy, 0));
      const sd = outside + Math.min(Math.max(qx, qy), 0) - radius;
      // Feathered inward, so nothing is drawn outside the ground-truth box.
      const alpha = clamp01(-sd / feather);
      if (alpha <= 0) continue;
      // Stripes run diagonally in the object's own frame, so they move with it.
      const phase = ((u + v * 0.6) / stripePeriod) % 1;
      const inStripe = (phase < 0 ? phase + 1 : phase) < 0.3;
      const nearEdge = sd > -Math.max(2, hh * 0.2);
      const shade = 0.85 + 0.15 * (1 - Math.abs(v) / hh);
      const base = inStripe ? STRIPE : nearEdge ? TRIM : BODY;
      blend(target, x, y, [base[0] * shade, base[1] * shade, base[2] * shade], alpha);
    }
  }
}
