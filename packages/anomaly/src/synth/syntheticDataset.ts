/**
 * `vigil synth`: a dataset in the UCSD layout (see eval/ucsdDataset.ts) made from real footage. Each
 * source is cut in two: its head becomes clean Train clips, its tail becomes several Test clips, each
 * with its own anomalies of different kinds (clean stretches before, between and after): by default real
 * vehicles cut out of the same footage, stopped in a lane, on the shoulder or driving the wrong way; a
 * per-pixel mask per frame in `Test/<clip>_gt/`, and the frame labels in `labels.json`. Train and Test
 * never share footage, so a detector that memorises training frames gains nothing. All sources share
 * one frame size (the first's), as one camera model is fitted on all Train clips.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { UsageError, type FrameSize } from '@vigil/core';
import { decodeFrames } from '@vigil/video';
import { cutOutLargestObject } from './cutout.js';
import { injectAnomaly } from './injectAnomaly.js';
import { findTracks, pastePlacement, realObjectAnomaly, type ObjectTrack, type Placement, type RealObjectAnomaly, type RealObjectKind } from './realObjects.js';
import { encodePng } from './png.js';
import type { AnomalyKind, AnomalySpec } from './schedule.js';

export interface SyntheticDatasetOptions {
  out: string;
  /** Video files (or URLs ffmpeg reads). */
  sources: string[];
  /** Frame width written (height from the first source's aspect ratio). Default 320. */
  width?: number;
  /** Frames per second taken from the footage. Default 5. */
  fps?: number;
  /** Share of each source that becomes Train. Default 0.65. */
  trainShare?: number;
  /** Test clips cut from each source's tail, each with different anomalies. Default 3. */
  testClipsPerSource?: number;
  /**
   * 'real' (default): vehicles cut out of the source's own footage, pasted stopped in their lane, stopped
   * on the shoulder, or driving the wrong way (realObjects.ts). 'drawn': painted shapes (kinds/).
   */
  objects?: 'real' | 'drawn';
  onProgress?: (done: number, total: number) => void;
}

export interface SyntheticClipSummary {
  name: string;
  frames: number;
  anomalousFrames?: number;
  anomalies?: (AnomalySpec | RealObjectAnomaly)[];
}

export interface SyntheticDatasetSummary {
  out: string;
  frame: FrameSize;
  fps: number;
  objects: 'real' | 'drawn';
  train: SyntheticClipSummary[];
  test: SyntheticClipSummary[];
}

/** Kinds in the order test clips take them, two per clip, so every kind appears with few clips. */
const KIND_CYCLE: AnomalyKind[] = ['stopped-vehicle', 'pedestrian', 'haze', 'debris', 'wrong-way', 'pedestrian', 'debris', 'stopped-vehicle', 'haze', 'wrong-way'];
const REAL_KIND_CYCLE: RealObjectKind[] = ['stopped-vehicle', 'wrong-way', 'shoulder', 'stopped-vehicle', 'shoulder', 'wrong-way'];

/** One anomaly of a test clip, whichever way it is made: paints frame `i` and marks its mask. */
interface Painted {
  spec: AnomalySpec | RealObjectAnomaly;
  paint(rgb: Uint8Array, i: number, mask: Uint8Array): void;
}

export async function writeSyntheticDataset(options: SyntheticDatasetOptions): Promise<SyntheticDatasetSummary> {
  const width = options.width ?? 320;
  const fps = options.fps ?? 5;
  const trainShare = options.trainShare ?? 0.65;
  const perSource = options.testClipsPerSource ?? 3;
  if (options.sources.length === 0) throw new UsageError('no footage to build the dataset from');
  if (!(trainShare > 0 && trainShare < 1)) throw new UsageError(`trainShare must be in (0, 1), got ${trainShare}`);

  rmSync(join(options.out, 'Train'), { recursive: true, force: true });
  rmSync(join(options.out, 'Test'), { recursive: true, force: true });
  const objects = options.objects ?? 'real';
  const summary: SyntheticDatasetSummary = { out: options.out, frame: { width, height: 0 }, fps, objects, train: [], test: [] };
  const labels: Record<string, [number, number][]> = {};
  let kindIndex = 0;

  for (const [s, source] of options.sources.entries()) {
    const frames = await decodeSource(source, width, fps);
    if (s === 0) summary.frame.height = frames.height;
    const size = summary.frame;
    const all = frames.height === size.height ? frames.frames : frames.frames.map((f) => resizeRows(f, width, frames.height, size.height));
    const stem = clipStem(source, s, options.sources);
    const nTrain = Math.round(all.length * trainShare);
    const nTest = all.length - nTrain;
    if (nTrain < 10 || nTest < 4 * fps) throw new UsageError(`${source}: too short (${(all.length / fps).toFixed(1)} s at ${fps} fps) to cut into Train and Test clips`);
    const tracks = objects === 'real' ? objectTracks(all, size, source) : undefined;

    // Train: the head, in two clips (so readers see clip boundaries, as in UCSD).
    const half = Math.ceil(nTrain / 2);
    for (const [c, part] of [all.slice(0, half), all.slice(half, nTrain)].entries()) {
      const name = `${stem}_train${c + 1}`;
      writeFrames(join(options.out, 'Train', name), part, size, 3);
      summary.train.push({ name, frames: part.length });
    }

    // Test: the tail, once per clip, each time with other anomalies.
    const tail = all.slice(nTrain);
    const seconds = tail.length / fps;
    for (let c = 0; c < perSource; c++) {
      const name = `${stem}_test${c + 1}`;
      const windows = [
        [1.4, seconds * 0.4],
        [seconds * 0.55, seconds * 0.35],
      ] as const;
      const anomalies: Painted[] =
        objects === 'drawn'
          ? windows.map(([start, duration], k) => drawnAnomaly(specFor(KIND_CYCLE[kindIndex++ % KIND_CYCLE.length]!, start, duration, s * 7 + c * 2 + k), size, fps))
          : windows.map(([start, duration], k) => realAnomaly(tracks!, REAL_KIND_CYCLE, kindIndex++, c * 2 + k, start, duration, size, fps, source));
      const drawn: Uint8Array[] = [],
        masks: Uint8Array[] = [];
      const ranges: [number, number][] = [];
      tail.forEach((f, i) => {
        const data = new Uint8Array(f);
        const mask = new Uint8Array(size.width * size.height);
        for (const a of anomalies) a.paint(data, i, mask);
        drawn.push(data);
        masks.push(mask);
        if (mask.includes(1)) {
          const last = ranges.at(-1);
          if (last && last[1] === i) last[1] = i + 1;
          else ranges.push([i + 1, i + 1]);
        }
      });
      writeFrames(join(options.out, 'Test', name), drawn, size, 3);
      writeFrames(
        join(options.out, 'Test', `${name}_gt`),
        masks.map((m) => m.map((v) => v * 255)),
        size,
        1,
      );
      labels[name] = ranges;
      summary.test.push({ name, frames: drawn.length, anomalousFrames: ranges.reduce((n, [a, b]) => n + b - a + 1, 0), anomalies: anomalies.map((a) => a.spec) });
    }
    options.onProgress?.(s + 1, options.sources.length);
  }
  writeFileSync(join(options.out, 'labels.json'), JSON.stringify(labels, null, 1) + '\n');
  writeFileSync(join(options.out, 'synth.json'), JSON.stringify(summary, null, 2) + '\n');
  return summary;
}

function drawnAnomaly(spec: AnomalySpec, size: FrameSize, fps: number): Painted {
  return { spec, paint: (rgb, i, mask) => void injectAnomaly(rgb, size.width, size.height, i / fps, spec, mask) };
}

/**
 * Vehicles that moved through the source (any part of it: only the object's pixels are taken, never the
 * test clip's scene); when nothing was followed over frames, the largest object seen, which can only stand.
 */
function objectTracks(frames: Uint8Array[], size: FrameSize, source: string): ObjectTrack[] {
  const tracks = findTracks(frames, size.width, size.height);
  if (tracks.length > 0) return tracks.slice(0, 4);
  const still = cutOutLargestObject(frames, size.width, size.height, { minPixels: Math.max(24, Math.round(size.width * size.height * 0.0015)) });
  if (!still) throw new UsageError(`${source}: no vehicle or person found to cut out of the footage (nothing differs from its median background); use drawn objects`);
  return [{ steps: [{ frame: still.source.frame, box: { x: still.source.x, y: still.source.y, width: still.width, height: still.height }, cutout: still }] }];
}

/** The `n`-th real anomaly: the next kind in the cycle that this source's tracks allow, on one of its tracks. */
function realAnomaly(tracks: ObjectTrack[], cycle: readonly RealObjectKind[], n: number, variant: number, start: number, duration: number, size: FrameSize, fps: number, source: string): Painted {
  const track = tracks[variant % tracks.length]!;
  for (let k = 0; k < cycle.length; k++) {
    const made = realObjectAnomaly(cycle[(n + k) % cycle.length]!, track, start, duration, fps, size);
    if (!made) continue;
    const first = Math.round(start * fps);
    const placements: Placement[] = made.placements;
    return { spec: made.spec, paint: (rgb, i, mask) => void pastePlacement(rgb, size.width, size.height, placements, i - first, mask) };
  }
  throw new UsageError(`${source}: its vehicles cannot be placed in the frame`);
}

/**
 * An anomaly of `kind` in the lower middle of the frame — where a traffic camera's carriageway
 * usually is — varied by `variant`. Times are seconds of the clip.
 */
function specFor(kind: AnomalyKind, startSeconds: number, durationSeconds: number, variant: number): AnomalySpec {
  const jitter = (k: number) => (((variant * 7919 + k * 104729) % 1000) / 1000 - 0.5) * 2; // in [-1, 1)
  const x = 0.58 + 0.12 * jitter(1),
    y = 0.74 + 0.08 * jitter(2);
  const base = { startSeconds, durationSeconds };
  switch (kind) {
    case 'stopped-vehicle':
      return { ...base, kind, size: { width: 0.14, height: 0.14 }, position: { x, y }, velocity: { x: 0.09, y: 0.05 }, enterSeconds: 1 };
    case 'wrong-way': {
      const vx = 0.4 / durationSeconds;
      return { ...base, kind, size: { width: 0.13, height: 0.12 }, position: { x: x - 0.2, y }, velocity: { x: vx, y: -0.02 } };
    }
    case 'pedestrian': {
      // Crossing the carriageway, left to right or right to left.
      const dir = jitter(3) < 0 ? -1 : 1;
      return { ...base, kind, size: { width: 0.03, height: 0.13 }, position: { x: x - dir * 0.09, y }, velocity: { x: (dir * 0.18) / durationSeconds, y: 0.004 } };
    }
    case 'debris':
      return { ...base, kind, size: { width: 0.06, height: 0.05 }, position: { x, y: y + 0.04 }, velocity: { x: 0, y: 0 } };
    case 'haze':
      return { ...base, kind, size: { width: 0.42, height: 0.5 }, position: { x, y: y - 0.12 }, velocity: { x: 0.006, y: -0.006 }, enterSeconds: Math.min(3, durationSeconds / 2) };
  }
}

async function decodeSource(source: string, width: number, fps: number): Promise<{ height: number; frames: Uint8Array[] }> {
  const frames: Uint8Array[] = [];
  let height = 0;
  for await (const f of decodeFrames(source, { fps, width })) {
    height = f.height;
    frames.push(f.data);
  }
  if (frames.length === 0) throw new UsageError(`${source}: no frames decoded`);
  return { height, frames };
}

/** Linear resampling of rows only: sources of slightly different aspect ratios are brought to one height. */
function resizeRows(rgb: Uint8Array, width: number, from: number, to: number): Uint8Array {
  const out = new Uint8Array(width * to * 3);
  const stride = width * 3;
  for (let y = 0; y < to; y++) {
    const sy = Math.min(from - 1, Math.max(0, ((y + 0.5) * from) / to - 0.5));
    const y0 = Math.floor(sy),
      y1 = Math.min(from - 1, y0 + 1),
      f = sy - y0;
    for (let i = 0; i < stride; i++) out[y * stride + i] = Math.round(rgb[y0 * stride + i]! * (1 - f) + rgb[y1 * stride + i]! * f);
  }
  return out;
}

function writeFrames(dir: string, frames: Uint8Array[], size: FrameSize, channels: 1 | 3): void {
  mkdirSync(dir, { recursive: true });
  frames.forEach((f, i) => writeFileSync(join(dir, `${String(i + 1).padStart(3, '0')}.png`), encodePng(f, size.width, size.height, channels)));
}

/** Clip names start with the source's file name; two sources of the same name get their index too. */
function clipStem(source: string, index: number, sources: string[]): string {
  const name = (f: string) =>
    basename(f, extname(f))
      .replace(/[^A-Za-z0-9]+/g, '-')
      .replace(/^-|-$/g, '');
  const stem = name(source) || 'source';
  return sources.filter((f) => name(f) === name(source)).length > 1 || !name(source) ? `${stem}${index + 1}` : stem;
}
