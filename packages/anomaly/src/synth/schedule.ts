/** Where a synthetic anomaly is at time t: a pure function of its spec, so tests, the demo and `vigil synth` agree. */

export interface NormalisedBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * 'stopped-vehicle': a car-sized object drives in and stops in a lane; 'wrong-way': one that moves
 * against the traffic; 'pedestrian': a person-sized upright figure walking on the carriageway;
 * 'debris': a small irregular object lying in a lane; 'haze': smoke-like haze that spreads over part of the frame.
 */
export type AnomalyKind = 'stopped-vehicle' | 'wrong-way' | 'pedestrian' | 'debris' | 'haze';

export const ANOMALY_KINDS: readonly AnomalyKind[] = ['stopped-vehicle', 'wrong-way', 'pedestrian', 'debris', 'haze'];

export interface AnomalySpec {
  kind: AnomalyKind;
  /** Video time at which the object first appears. */
  startSeconds: number;
  /** How long it is present, entering included. */
  durationSeconds: number;
  /** Object size, normalised to the frame ('haze': its full extent, reached after `enterSeconds`). */
  size: { width: number; height: number };
  /**
   * Centre, normalised. 'stopped-vehicle': where it stops; 'debris': where it lies; the others: where it is at `startSeconds`.
   */
  position: { x: number; y: number };
  /**
   * Normalised frame widths/heights per second. 'stopped-vehicle': speed while it drives in
   * (it reaches `position` after `enterSeconds`); 'debris': ignored; the others: their constant velocity (drift, for haze).
   */
  velocity: { x: number; y: number };
  /** 'stopped-vehicle': seconds spent driving in before it stops (default 1); 'haze': seconds to spread to full size (default 3). */
  enterSeconds?: number;
}

/** The object's unclipped centre at time t, or null outside its time window. */
export function anomalyCentreAt(spec: AnomalySpec, t: number): { x: number; y: number } | null {
  const dt = t - spec.startSeconds;
  if (dt < 0 || dt >= spec.durationSeconds) return null;
  if (spec.kind === 'debris') return { ...spec.position };
  if (spec.kind !== 'stopped-vehicle') {
    return { x: spec.position.x + spec.velocity.x * dt, y: spec.position.y + spec.velocity.y * dt };
  }
  const enter = spec.enterSeconds ?? 1;
  const left = Math.max(0, enter - dt);
  return { x: spec.position.x - spec.velocity.x * left, y: spec.position.y - spec.velocity.y * left };
}

/** The ground-truth box at time t, clipped to the frame; null when absent or wholly outside. */
export function anomalyBoxAt(spec: AnomalySpec, t: number): NormalisedBox | null {
  const c = anomalyCentreAt(spec, t);
  if (!c) return null;
  const size = anomalySizeAt(spec, t);
  const x0 = Math.max(0, c.x - size.width / 2);
  const y0 = Math.max(0, c.y - size.height / 2);
  const x1 = Math.min(1, c.x + size.width / 2);
  const y1 = Math.min(1, c.y + size.height / 2);
  if (x1 <= x0 || y1 <= y0) return null;
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/** The object's extent at time t: `size`, except haze, which spreads from a quarter of it over `enterSeconds`. */
export function anomalySizeAt(spec: AnomalySpec, t: number): { width: number; height: number } {
  if (spec.kind !== 'haze') return spec.size;
  const spread = Math.min(1, Math.max(0, (t - spec.startSeconds) / (spec.enterSeconds ?? 3)));
  const f = 0.25 + 0.75 * spread;
  return { width: spec.size.width * f, height: spec.size.height * f };
}

/** Whether the object is present (on screen) at time t. */
export function anomalyPresentAt(spec: AnomalySpec, t: number): boolean {
  return anomalyBoxAt(spec, t) !== null;
}

/** Whether, at time t, the object has stopped (for 'stopped-vehicle', after it drove in). */
export function anomalyStoppedAt(spec: AnomalySpec, t: number): boolean {
  if (spec.kind !== 'stopped-vehicle') return false;
  const dt = t - spec.startSeconds;
  return dt >= (spec.enterSeconds ?? 1) && dt < spec.durationSeconds;
}

export function boxIoU(a: NormalisedBox, b: NormalisedBox): number {
  const ix = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
  const iy = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
  const inter = ix * iy;
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}
