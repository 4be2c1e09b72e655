/**
 * `vigil eval`: fit a camera model on a dataset's Train clips exactly as `vigil train` would, score
 * every Test frame as the live worker would (each frame with its predecessor in the same clip), and
 * report frame- and pixel-level figures for the ensemble and for each member.
 */
import type { FrameSize } from '@vigil/core';
import { initBackend } from '../backend/tfBackend.js';
import { memberTiers, SequentialCascade } from '../cascade/cascade.js';
import { fitCameraModel, type CameraModel, type CombineRule } from '../cameraModel.js';
import { withBackgrounds } from '../backgroundPair/pair.js';
import { framesWithPrev, type FrameInput } from '../frameInput.js';
import { DatasetError } from './datasetError.js';
import { memberModels } from './memberModels.js';
import { averagePrecision, PixelAucAccumulator, rocAuc } from './metrics.js';
import { datasetFrameSize, decodeClipFrames, decodeClipMasks, readUcsdDataset, type UcsdDataset } from './ucsdDataset.js';

export interface EvalProgress {
  phase: 'decode' | 'fit' | 'score';
  done: number;
  total: number;
}

export interface EvalOptions {
  dataset: string;
  /** Detector names; default: the registry's default members. */
  members?: string[];
  /** Analysis width in pixels (height keeps the aspect ratio). Default 320. */
  width?: number;
  /** Take training frames at this rate (every k-th frame, k = datasetFps / trainFps); default: every frame. */
  trainFps?: number;
  /** The rate the dataset's frames were recorded at. Default 10 (UCSD Ped1/Ped2). */
  datasetFps?: number;
  /** Score each member alone as well, for per-member pixel AUROC (costs a second scoring pass). Default true. */
  memberPixels?: boolean;
  /** How members combine (see cameraModel.ts); default DEFAULT_COMBINE. */
  combine?: CombineRule;
  onProgress?: (progress: EvalProgress) => void;
}

/** Shares of anomalous and of normal test frames scored at or over the threshold (1). */
export interface OperatingPoint {
  recallAtThreshold: number;
  falsePositiveRateAtThreshold: number;
}

function operatingPoint(scores: number[], labels: boolean[]): OperatingPoint {
  let tp = 0, p = 0, fp = 0, n = 0;
  scores.forEach((s, i) => {
    if (labels[i]) { p++; if (s >= 1) tp++; } else { n++; if (s >= 1) fp++; }
  });
  return { recallAtThreshold: round(tp / Math.max(1, p), 3), falsePositiveRateAtThreshold: round(fp / Math.max(1, n), 3) };
}

export interface MemberFigures {
  frameAUROC: number | null;
  frameAP: number | null;
  pixelAUROC?: number | null;
}

export interface EvalReport {
  dataset: string;
  labelFile: string;
  frame: FrameSize;
  backend: string;
  trainClips: number;
  trainFrames: number;
  testClips: number;
  testFrames: number;
  anomalousFrames: number;
  trainSeconds: number;
  /** Ensemble scoring throughput on test frames (decoding excluded). */
  framesPerSecond: number;
  frameAUROC: number | null;
  frameAP: number | null;
  /** Over every pixel of the test clips that have masks; absent when none has. */
  pixelAUROC?: number | null;
  members: Record<string, MemberFigures>;
  /**
   * The ensemble as the live worker scores it where only CPUs serve (cascade defaults, no gating): the
   * cheap tier on every frame, the backbone tier on flagged frames, every 10th of a clip, and every frame
   * for 3 s (at the dataset's fps) after a full score ≥ 0.5. Absent when the model has only one tier.
   */
  cascade?: MemberFigures & OperatingPoint & { backboneShare: number };
  /** The ensemble at its calibrated threshold (normalised score ≥ 1), every member on every frame. */
  atThreshold: OperatingPoint;
  model: { version: string; members: string[]; combine: CombineRule; trainingFrames: number; covered: FrameSize };
}

export async function runEval(options: EvalOptions): Promise<EvalReport> {
  const dataset = readUcsdDataset(options.dataset);
  const width = options.width ?? 320;
  if (!(Number.isInteger(width) && width >= 16)) throw new DatasetError(`analysis width must be a whole number ≥ 16, got ${width}`);
  const size = await datasetFrameSize(dataset, width);
  const stride = Math.max(1, Math.round((options.datasetFps ?? 10) / (options.trainFps ?? Infinity)));
  const progress = options.onProgress ?? (() => undefined);

  const train = await decodeTrain(dataset, size, stride, (done, total) => progress({ phase: 'decode', done, total }));
  const backend = await initBackend();
  const t0 = performance.now();
  const model = await fitCameraModel(train, {
    cameraId: 'eval',
    ...(options.members ? { members: options.members } : {}),
    ...(options.combine ? { combine: options.combine } : {}),
    onProgress: ({ done, total }) => progress({ phase: 'fit', done, total }),
  });
  const trainSeconds = (performance.now() - t0) / 1000;
  train.length = 0; // let the training frames go before the test clips are decoded

  const memberNames = model.manifest.members.map((m) => m.name);
  const withMasks = dataset.test.some((c) => c.maskFiles);
  const singles = withMasks && (options.memberPixels ?? true) && memberNames.length > 1 ? await memberModels(model) : new Map<string, CameraModel>();

  const scores: number[] = [];
  const labels: boolean[] = [];
  const memberScores = new Map(memberNames.map((n) => [n, [] as number[]]));
  const tiers = memberTiers(model);
  const twoTiers = tiers.cheap.length > 0 && tiers.backbone.length > 0;
  const cascadeScores: number[] = [];
  let backboneRan = 0;
  const cascadePixel = new PixelAucAccumulator();
  const pixel = new PixelAucAccumulator();
  const memberPixel = new Map([...singles.keys()].map((n) => [n, new PixelAucAccumulator()]));
  const total = dataset.test.reduce((n, c) => n + c.files.length, 0);
  let scoreMs = 0;

  for (const clip of dataset.test) {
    const cascade = twoTiers ? new SequentialCascade(model, { backend: 'cpu', fps: options.datasetFps ?? 10, gating: false }) : undefined;
    const inputs = clipInputs(await decodeClipFrames(clip, size), size);
    const masks = await decodeClipMasks(clip, size);
    for (let i = 0; i < inputs.length; i++) {
      const input = inputs[i]!;
      const start = performance.now();
      const s = await model.score(input);
      scoreMs += performance.now() - start;
      scores.push(s.score);
      labels.push(clip.labels[i]!);
      for (const name of memberNames) memberScores.get(name)!.push(s.members[name] ?? NaN);
      // Right after the full score, so the backbone's features of this frame are reused.
      const c = cascade?.score(input, i);
      if (c) {
        cascadeScores.push(c.score);
        if (c.tier === 'full') backboneRan++;
      }
      const mask = masks[i];
      if (mask) {
        pixel.addFrame(s.map, model.covered, mask, size);
        if (c) cascadePixel.addFrame(c.map, model.covered, mask, size);
        for (const [name, single] of singles) {
          const m = await single.score(input);
          memberPixel.get(name)!.addFrame(m.map, single.covered, mask, size);
        }
      }
      progress({ phase: 'score', done: scores.length, total });
    }
  }

  const members: Record<string, MemberFigures> = {};
  for (const name of memberNames) {
    const ms = memberScores.get(name)!;
    const figures: MemberFigures = { frameAUROC: figure(rocAuc(ms, labels)), frameAP: figure(averagePrecision(ms, labels)) };
    const acc = memberPixel.get(name) ?? (memberNames.length === 1 ? pixel : undefined);
    if (acc) figures.pixelAUROC = figure(acc.auc());
    members[name] = figures;
  }

  return {
    dataset: dataset.root,
    labelFile: dataset.labelFile,
    frame: size,
    backend,
    trainClips: dataset.train.length,
    trainFrames: model.manifest.trainingFrames,
    testClips: dataset.test.length,
    testFrames: scores.length,
    anomalousFrames: labels.filter(Boolean).length,
    trainSeconds: round(trainSeconds, 2),
    framesPerSecond: round(scores.length / Math.max(scoreMs / 1000, 1e-9), 1),
    frameAUROC: figure(rocAuc(scores, labels)),
    frameAP: figure(averagePrecision(scores, labels)),
    ...(withMasks ? { pixelAUROC: figure(pixel.auc()) } : {}),
    atThreshold: operatingPoint(scores, labels),
    members,
    ...(twoTiers
      ? {
          cascade: {
            frameAUROC: figure(rocAuc(cascadeScores, labels)),
            frameAP: figure(averagePrecision(cascadeScores, labels)),
            ...(withMasks ? { pixelAUROC: figure(cascadePixel.auc()) } : {}),
            ...operatingPoint(cascadeScores, labels),
            backboneShare: round(backboneRan / Math.max(1, cascadeScores.length), 3),
          },
        }
      : {}),
    model: { version: model.manifest.version, members: memberNames, combine: model.manifest.combine ?? 'max', trainingFrames: model.manifest.trainingFrames, covered: model.covered },
  };
}

/**
 * A clip's frames as the live pipeline hands them to the model: each with its predecessor and the
 * camera's background pair as it stood before it (a fresh pair per clip, as each clip is its own recording).
 */
function clipInputs(frames: Uint8Array[], size: FrameSize): FrameInput[] {
  return withBackgrounds(framesWithPrev(frames, size.width, size.height));
}

/** Every Train clip's frames (every `stride`-th), each with its true predecessor and background pair from the same clip. */
async function decodeTrain(dataset: UcsdDataset, size: FrameSize, stride: number, onProgress: (done: number, total: number) => void): Promise<FrameInput[]> {
  const total = dataset.train.reduce((n, c) => n + c.files.length, 0);
  const out: FrameInput[] = [];
  let done = 0;
  for (const clip of dataset.train) {
    const inputs = clipInputs(await decodeClipFrames(clip, size), size);
    for (let i = 0; i < inputs.length; i += stride) out.push(inputs[i]!);
    done += inputs.length;
    onProgress(done, total);
  }
  return out;
}

function figure(x: number): number | null {
  return Number.isFinite(x) ? round(x, 4) : null;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
