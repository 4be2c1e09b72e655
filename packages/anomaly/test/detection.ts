/** Shared steps of the real-footage tests: fit on the head of a clip, score the held-out tail clean and injected. */
import type { Region } from '@vigil/core';
import { extractRegions } from '../../alerts/src/extractRegions.js';
import { fitCameraModel, type CameraModel } from '../src/cameraModel.js';
import { SequenceMemory } from '../src/features/featureMemory.js';
import { framesWithPrev, type FrameInput } from '../src/frameInput.js';
import { type anomalyBoxAt, boxIoU, injectAnomaly, type AnomalySpec } from '../src/synth/index.js';
import { decodeClip, TRAFFIC_DIR } from './footage.js';

export interface ClipSplit {
  width: number;
  height: number;
  fps: number;
  frames: Uint8Array[];
  trainCount: number;
  train: FrameInput[];
  /** Frames after the training ones, each with its predecessor (the first one's is the last training frame). */
  rest: FrameInput[];
}

export async function splitClip(file: string, trainSeconds: number): Promise<ClipSplit> {
  const probeHeight = file.includes('parking') ? 180 : 176;
  const clip = await decodeClip(`${TRAFFIC_DIR}/${file}`, 320, probeHeight);
  const inputs = framesWithPrev(clip.frames, clip.width, clip.height);
  const trainCount = Math.round(trainSeconds * clip.fps);
  return { ...clip, trainCount, train: inputs.slice(0, trainCount), rest: inputs.slice(trainCount) };
}

export async function fitOn(split: ClipSplit, cameraId: string): Promise<{ model: CameraModel; fitMs: number }> {
  const t0 = performance.now();
  const model = await fitCameraModel(split.train, { cameraId });
  return { model, fitMs: performance.now() - t0 };
}

export interface InjectedFrame {
  t: number;
  input: FrameInput;
  box: ReturnType<typeof anomalyBoxAt>;
}

/** The held-out tail with the anomaly drawn in, prev frames included, so motion sees it as the camera would. */
export function injectIntoRest(split: ClipSplit, spec: AnomalySpec): InjectedFrame[] {
  const { width, height, fps, trainCount } = split;
  const drawn = split.frames.slice(trainCount - 1).map((f, i) => {
    const data = new Uint8Array(f);
    const t = (trainCount - 1 + i) / fps;
    const { box } = injectAnomaly(data, width, height, t, spec);
    return { data, t, box };
  });
  // A feature memory of its own, as the drawn frames differ from the clean ones members remember.
  const memory = new SequenceMemory();
  return drawn.slice(1).map((d, i) => ({ t: d.t, box: d.box, input: { data: d.data, width, height, prev: drawn[i]!.data, seq: trainCount + i, memory } }));
}

export function topRegion(model: CameraModel, input: FrameInput): { score: number; region: Region | undefined } {
  const s = model.score(input);
  const regions = extractRegions(s.map, {
    frame: { width: input.width, height: input.height },
    coveredWidth: model.covered.width,
    coveredHeight: model.covered.height,
  });
  return { score: s.score, region: regions[0] };
}

export { boxIoU };
