/**
 * 'pedestrian': an upright person-sized figure walking on the carriageway — head, torso, swinging arms
 * and legs, each a capsule (a segment with a radius), with a clothing colour of its own per spec.
 */
import { anomalyCentreAt, type AnomalySpec } from '../schedule.js';
import { blend, clamp01, pixelBounds, segmentDistance, specSeed, type Colour, type PaintTarget } from './raster.js';

const SKIN: Colour[] = [
  [224, 172, 130],
  [150, 100, 70],
  [95, 65, 45],
];
const SHIRT: Colour[] = [
  [200, 40, 40],
  [40, 70, 160],
  [235, 235, 225],
  [60, 140, 70],
  [240, 200, 40],
  [30, 30, 35],
];
const TROUSERS: Colour[] = [
  [35, 40, 60],
  [50, 50, 50],
  [110, 95, 75],
];

interface Part {
  a: [number, number];
  b: [number, number];
  r: number;
  colour: Colour;
}

export function paintPedestrian(target: PaintTarget, spec: AnomalySpec, t: number): void {
  const centre = anomalyCentreAt(spec, t);
  if (!centre) return;
  const { width, height } = target;
  const seed = specSeed(spec);
  const skin = SKIN[seed % SKIN.length]!,
    shirt = SHIRT[(seed >>> 4) % SHIRT.length]!,
    trousers = TROUSERS[(seed >>> 8) % TROUSERS.length]!;
  const cx = centre.x * width,
    cy = centre.y * height;
  const H = spec.size.height * height,
    hw = (spec.size.width * width) / 2;
  // Gait: one stride per ~0.6 body heights walked, so the legs swing in step with the speed.
  const walked = Math.hypot(spec.velocity.x * width, spec.velocity.y * height) * Math.max(0, t - spec.startSeconds);
  const swing = Math.sin((2 * Math.PI * walked) / (0.6 * H)) * 0.12 * H;
  const dir = spec.velocity.x < 0 ? -1 : 1;
  const parts: Part[] = [
    { a: [0, 0.04 * H], b: [dir * swing, 0.47 * H], r: 0.26 * hw, colour: trousers },
    { a: [0, 0.04 * H], b: [-dir * swing, 0.47 * H], r: 0.26 * hw, colour: trousers },
    { a: [0, -0.26 * H], b: [0, 0.04 * H], r: 0.5 * hw, colour: shirt },
    { a: [0.55 * hw, -0.24 * H], b: [0.6 * hw - dir * swing * 0.6, 0.02 * H], r: 0.18 * hw, colour: shirt },
    { a: [-0.55 * hw, -0.24 * H], b: [-0.6 * hw + dir * swing * 0.6, 0.02 * H], r: 0.18 * hw, colour: shirt },
    { a: [0, -0.39 * H], b: [0, -0.39 * H], r: 0.09 * H, colour: skin },
  ];
  const { x0, x1, y0, y1 } = pixelBounds(target, cx, cy, hw + Math.abs(swing), H / 2);
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const u = x + 0.5 - cx,
        v = y + 0.5 - cy;
      // The nearest part decides the colour; later parts (torso, head) are drawn over the legs.
      let best = Infinity,
        colour: Colour = shirt;
      for (const p of parts) {
        const sd = segmentDistance(u, v, p.a[0], p.a[1], p.b[0], p.b[1]) - p.r;
        if (sd <= best + 0.25) {
          best = Math.min(best, sd);
          colour = p.colour;
        }
      }
      const shade = 0.8 + 0.2 * clamp01(0.5 - u / (2 * hw));
      blend(target, x, y, [colour[0] * shade, colour[1] * shade, colour[2] * shade], clamp01(0.5 - best));
    }
  }
}
