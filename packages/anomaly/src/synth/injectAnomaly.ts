/**
 * Draws a synthetic "object that does not belong" into a frame, in place: a vehicle-sized rounded
 * body of saturated orange with magenta trim and dark diagonal stripes, edges feathered over a few
 * pixels so it is not a hard-edged sticker. Deterministic: the same spec and t give the same pixels.
 */
import { anomalyBoxAt, anomalyCentreAt, type AnomalySpec, type NormalisedBox } from './schedule.js';

const BODY = [255, 120, 10] as const;
const TRIM = [230, 30, 200] as const;
const STRIPE = [35, 20, 30] as const;

export function injectAnomaly(
  rgb: Uint8Array,
  width: number,
  height: number,
  t: number,
  spec: AnomalySpec,
): { box: NormalisedBox | null } {
  const box = anomalyBoxAt(spec, t);
  const centre = anomalyCentreAt(spec, t);
  if (!box || !centre) return { box: null };

  const cx = centre.x * width, cy = centre.y * height;
  const hw = (spec.size.width * width) / 2, hh = (spec.size.height * height) / 2;
  const radius = Math.min(hw, hh) * 0.45;
  const feather = Math.max(1.5, Math.min(hw, hh) * 0.15);
  const stripePeriod = Math.max(6, hw / 3);
  const x0 = Math.max(0, Math.floor(cx - hw)), x1 = Math.min(width - 1, Math.ceil(cx + hw));
  const y0 = Math.max(0, Math.floor(cy - hh)), y1 = Math.min(height - 1, Math.ceil(cy + hh));

  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const u = x + 0.5 - cx, v = y + 0.5 - cy;
      // Signed distance to a rounded rectangle (negative inside).
      const qx = Math.abs(u) - (hw - radius), qy = Math.abs(v) - (hh - radius);
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
      const colour = inStripe ? STRIPE : nearEdge ? TRIM : BODY;
      const i = (y * width + x) * 3;
      for (let c = 0; c < 3; c++) {
        const target = colour[c]! * shade;
        rgb[i + c] = Math.round(rgb[i + c]! * (1 - alpha) + target * alpha);
      }
    }
  }
  return { box };
}

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}
