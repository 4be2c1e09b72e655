/**
 * Real vehicles for `vigil synth`: objects that moved through the camera's own footage, found against
 * the footage's median background and followed frame to frame, so a pasted anomaly has the scene's
 * own scale, lighting and lanes (drawn shapes are too easy to be evidence). A track played forward and
 * then held is a vehicle that stops in its lane; shifted sideways by its own breadth, one that stops
 * beside the lane (the shoulder); played backward, one that drives the wrong way.
 */
import { cutOut, foregroundMask, medianBackground, objectComponents, pasteCutout, type Component, type Cutout } from './cutout.js';

export interface PixelBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface TrackStep {
  /** Frame of the footage it was cut from. */
  frame: number;
  box: PixelBox;
  cutout: Cutout;
}

/** One object followed through consecutive frames. */
export interface ObjectTrack {
  steps: TrackStep[];
}

export interface TrackOptions {
  /** A pixel differs from the background by more than this (sum over RGB of absolute differences). Default 90. */
  threshold?: number;
  /** Fewest pixels an object has; default 0.15 % of the frame, at least 24. */
  minPixels?: number;
  /** Most pixels an object has (more is a lighting change or several merged); default 12 % of the frame. */
  maxPixels?: number;
  /** Fewest consecutive frames a usable track spans. Default 4. */
  minSteps?: number;
}

export type RealObjectKind = 'stopped-vehicle' | 'shoulder' | 'wrong-way';

export const REAL_OBJECT_KINDS: readonly RealObjectKind[] = ['stopped-vehicle', 'wrong-way', 'shoulder'];

/** A real object's appearance in a clip: for each frame from `startFrame` on, where it is pasted and whether it is anomalous there. */
export interface RealObjectAnomaly {
  kind: RealObjectKind;
  startSeconds: number;
  durationSeconds: number;
  /** Where the object was cut from (frame of the source's training part, and its box there). */
  source: { frame: number; box: PixelBox };
  /** Where it stands once stopped ('stopped-vehicle', 'shoulder'), in pixels of the frame. */
  stoppedAt?: PixelBox;
}

export interface Placement {
  step: TrackStep;
  box: PixelBox;
  /** Counts as anomalous (driving in before a stop does not). */
  anomalous: boolean;
}

/**
 * Objects moving through `frames` (packed RGB of one size, consecutive), longest and largest first:
 * tracks of at least `minSteps` frames whose object moved at least half its own size.
 */
export function findTracks(frames: Uint8Array[], width: number, height: number, options: TrackOptions = {}): ObjectTrack[] {
  const area = width * height;
  const threshold = options.threshold ?? 90;
  const minPixels = options.minPixels ?? Math.max(24, Math.round(area * 0.0015));
  const maxPixels = options.maxPixels ?? Math.round(area * 0.12);
  const minSteps = options.minSteps ?? 4;
  const background = medianBackground(frames, width, height);
  const open: { track: ObjectTrack; last: Component }[] = [];
  const done: ObjectTrack[] = [];
  frames.forEach((frame, k) => {
    const found = objectComponents(foregroundMask(frame, background, width, height, threshold), width, height, 2, minPixels).filter((c) => c.pixels.length <= maxPixels);
    // Greedy by distance: each open track takes the nearest object of similar size within 0.6 of its own
    // size (further, a swaying bush hands its track on to a car that drives past it).
    const pairs: { t: number; c: number; d: number }[] = [];
    open.forEach((o, t) => {
      found.forEach((c, ci) => {
        const ratio = c.pixels.length / o.last.pixels.length;
        const d = Math.hypot(centreX(c) - centreX(o.last), centreY(c) - centreY(o.last));
        if (ratio >= 0.5 && ratio <= 2 && d <= 0.6 * Math.max(boxW(o.last), boxH(o.last))) pairs.push({ t, c: ci, d });
      });
    });
    pairs.sort((a, b) => a.d - b.d);
    const takenT = new Set<number>(),
      takenC = new Set<number>();
    const next: { track: ObjectTrack; last: Component }[] = [];
    for (const p of pairs) {
      if (takenT.has(p.t) || takenC.has(p.c)) continue;
      takenT.add(p.t);
      takenC.add(p.c);
      const o = open[p.t]!,
        c = found[p.c]!;
      o.track.steps.push(step(frame, width, c, k));
      next.push({ track: o.track, last: c });
    }
    open.forEach((o, t) => {
      if (!takenT.has(t)) done.push(o.track);
    });
    found.forEach((c, ci) => {
      if (!takenC.has(ci)) next.push({ track: { steps: [step(frame, width, c, k)] }, last: c });
    });
    open.length = 0;
    open.push(...next);
  });
  done.push(...open.map((o) => o.track));
  const moved = (t: ObjectTrack) => {
    const a = t.steps[0]!.box,
      b = t.steps.at(-1)!.box;
    const size = (a.width + a.height + b.width + b.height) / 4;
    return Math.hypot(b.x + b.width / 2 - a.x - a.width / 2, b.y + b.height / 2 - a.y - a.height / 2) >= size / 2;
  };
  const weight = (t: ObjectTrack) => t.steps.length * Math.sqrt(t.steps.reduce((n, s) => n + s.box.width * s.box.height, 0) / t.steps.length);
  return done.filter((t) => t.steps.length >= minSteps && moved(t)).sort((a, b) => weight(b) - weight(a));
}

/**
 * A real object anomaly of `kind` from `track`, starting at `startSeconds` for about `durationSeconds`
 * in footage at `fps`: 'stopped-vehicle' drives in along a second of its track and stands two thirds along it;
 * 'shoulder' does the same shifted beside its lane; 'wrong-way' plays the track backward (as long as the
 * track lasts). Undefined when a shoulder would leave the frame.
 */
export function realObjectAnomaly(
  kind: RealObjectKind,
  track: ObjectTrack,
  startSeconds: number,
  durationSeconds: number,
  fps: number,
  size: { width: number; height: number },
): { spec: RealObjectAnomaly; placements: Placement[] } | undefined {
  const steps = track.steps;
  const frames = Math.max(1, Math.round(durationSeconds * fps));
  if (kind === 'wrong-way') {
    if (steps.length < 2) return undefined;
    const source = { frame: steps.at(-1)!.frame, box: steps.at(-1)!.box };
    const placements = [...steps]
      .reverse()
      .slice(0, frames)
      .map((s) => ({ step: s, box: s.box, anomalous: true }));
    return { spec: { kind, startSeconds, durationSeconds: placements.length / fps, source }, placements };
  }
  // It stops two thirds along its track: in its lane, clear of where it leaves the frame.
  const hold = Math.floor(((steps.length - 1) * 2) / 3);
  const enter = steps.slice(Math.max(0, hold + 1 - Math.max(1, Math.round(fps))), hold + 1);
  let shift = { x: 0, y: 0 };
  if (kind === 'shoulder') {
    const s = sideways(steps, enter.at(-1)!.box, size);
    if (!s) return undefined;
    shift = s;
  }
  const at = (b: PixelBox): PixelBox => ({ x: b.x + shift.x, y: b.y + shift.y, width: b.width, height: b.height });
  const last = enter.at(-1)!;
  const source = { frame: last.frame, box: last.box };
  const placements: Placement[] = enter.slice(0, -1).map((s) => ({ step: s, box: at(s.box), anomalous: false }));
  while (placements.length < frames) placements.push({ step: last, box: at(last.box), anomalous: true });
  return { spec: { kind, startSeconds, durationSeconds, source, stoppedAt: at(last.box) }, placements };
}

/**
 * Pastes placement `index` (frames since the anomaly began) into a packed RGB frame; the mask gets the
 * object's pixels where that placement counts as anomalous. Returns whether it was anomalous there.
 */
export function pastePlacement(rgb: Uint8Array, width: number, height: number, placements: Placement[], index: number, mask?: Uint8Array): boolean {
  const p = placements[index];
  if (!p) return false;
  pasteCutout(rgb, width, height, p.step.cutout, p.box, p.anomalous ? mask : undefined);
  return p.anomalous;
}

/** The offset that moves the track's end beside its lane: its breadth across the direction of travel, to whichever side stays in the frame. */
function sideways(steps: TrackStep[], b: PixelBox, size: { width: number; height: number }): { x: number; y: number } | undefined {
  const a = steps[0]!.box,
    z = steps.at(-1)!.box;
  // A track of one step (an object that never moved) has no direction: beside it is to its right.
  const dx = steps.length > 1 ? z.x + z.width / 2 - (a.x + a.width / 2) : 0;
  const dy = steps.length > 1 ? z.y + z.height / 2 - (a.y + a.height / 2) : 1;
  const len = Math.hypot(dx, dy) || 1;
  const nx = -dy / len,
    ny = dx / len;
  // Breadth of the box across the direction of travel, and a little gap.
  const breadth = (Math.abs(nx) * b.width + Math.abs(ny) * b.height) * 1.15;
  for (const side of [1, -1]) {
    const x = b.x + side * nx * breadth,
      y = b.y + side * ny * breadth;
    if (x >= 0 && y >= 0 && x + b.width <= size.width && y + b.height <= size.height) return { x: side * nx * breadth, y: side * ny * breadth };
  }
  return undefined;
}

function step(frame: Uint8Array, width: number, c: Component, k: number): TrackStep {
  return { frame: k, box: { x: c.x0, y: c.y0, width: boxW(c), height: boxH(c) }, cutout: cutOut(frame, width, c, k) };
}

const boxW = (c: Component) => c.x1 - c.x0 + 1;
const boxH = (c: Component) => c.y1 - c.y0 + 1;
const centreX = (c: Component) => (c.x0 + c.x1 + 1) / 2;
const centreY = (c: Component) => (c.y0 + c.y1 + 1) / 2;
