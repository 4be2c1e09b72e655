/**
 * Draws a synthetic anomaly into a frame, in place, and (when asked) its ground-truth pixel mask.
 * Each kind has its own painter in kinds/; all are deterministic: the same spec and t give the same pixels.
 */
import { anomalyBoxAt, type AnomalyKind, type AnomalySpec, type NormalisedBox } from './schedule.js';
import { paintDebris } from './kinds/debris.js';
import { paintHaze } from './kinds/haze.js';
import { paintPedestrian } from './kinds/pedestrian.js';
import type { Painter } from './kinds/raster.js';
import { paintVehicle } from './kinds/vehicle.js';

const PAINTERS: Record<AnomalyKind, Painter> = {
  'stopped-vehicle': paintVehicle,
  'wrong-way': paintVehicle,
  pedestrian: paintPedestrian,
  debris: paintDebris,
  haze: paintHaze,
};

/**
 * Returns the anomaly's box at t (null when absent). `mask`, one byte per pixel, gets 1 wherever the
 * anomaly is visible; it is only ever set, so several anomalies can share one mask.
 */
export function injectAnomaly(rgb: Uint8Array, width: number, height: number, t: number, spec: AnomalySpec, mask?: Uint8Array): { box: NormalisedBox | null } {
  const box = anomalyBoxAt(spec, t);
  if (!box) return { box: null };
  if (mask && mask.length !== width * height) throw new RangeError(`mask has ${mask.length} bytes, expected ${width * height}`);
  PAINTERS[spec.kind]({ rgb, width, height, ...(mask ? { mask } : {}) }, spec, t);
  return { box };
}
