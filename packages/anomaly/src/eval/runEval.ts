/**
 * `vigil eval`: fit a camera model on a dataset's Train clips exactly as `vigil train` would, score
 * every Test frame as the live worker would (each frame with its predecessor in the same clip), and
 * report frame- and pixel-level figures for the ensemble and for each member.
 */
import type { FrameSize } from '@vigil/core';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../backend/tfBackend.js';
import { fitCameraModel, saveCameraModel, type CombineRule } from '../cameraModel.js';
import type { FrameInput } from '../frameInput.js';
import type { TemporalCalibration } from '../temporal/evidence.js';
import { DatasetError } from './datasetError.js';
import { averagePrecision, PixelAucAccumulator, recallAtFalsePositiveRate, rocAuc } from './metrics.js';
import { clipInputs, scoreClips, type ScoredShare } from './scoreClips.js';
import { scoreClipsInThread } from './scoreThread.js';
import { datasetFrameSize, datasetNativeSize, decodeClipFrames, readUcsdDataset, type DatasetTestClip, type UcsdDataset } from './ucsdDataset.js';

const DEFAULT_EVAL_WIDTH = 320;

export interface EvalProgress {
  phase: 'decode' | 'fit' | 'score';
  done: number;
  total: number;
}

export interface EvalOptions {
  dataset: string;
  /** Detector names; default: the registry's default members. */
  members?: string[];
  /** Analysis width in pixels (height keeps the aspect ratio). Default: the frames' own width, at most 320. */
  width?: number;
  /** Take training frames at this rate (every k-th frame, k = datasetFps / trainFps); default: every frame. */
  trainFps?: number;
  /** The rate the dataset's frames were recorded at. Default 10 (UCSD Ped1/Ped2). */
  datasetFps?: number;
  /** Score each member alone as well, for per-member pixel AUROC (costs a second scoring pass). Default true. */
  memberPixels?: boolean;
  /** How members combine (see cameraModel.ts); default DEFAULT_COMBINE. */
  combine?: CombineRule;
  /** Threads scoring the test clips; default one per core. */
  threads?: number;
  onProgress?: (progress: EvalProgress) => void;
}

/** Shares of anomalous and of normal test frames scored at or over the threshold (1). */
export interface OperatingPoint {
  recallAtThreshold: number;
  falsePositiveRateAtThreshold: number;
}

function operatingPoint(scores: number[], labels: boolean[]): OperatingPoint {
  let tp = 0,
    p = 0,
    fp = 0,
    n = 0;
  scores.forEach((s, i) => {
    if (labels[i]) {
      p++;
      if (s >= 1) tp++;
    } else {
      n++;
      if (s >= 1) fp++;
    }
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
  /** Ensemble scoring throughput on test frames, per thread (decoding excluded). */
  framesPerSecond: number;
  /** Threads that scored the test clips. */
  threads: number;
  /** The whole run: decoding, fitting and scoring. */
  wallSeconds: number;
  scoreWallSeconds: number;
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
  /** The ensemble at its calibrated threshold (accumulated score ≥ 1), every member on every frame. */
  atThreshold: OperatingPoint;
  /** Points of the ensemble's ROC curve: the share of anomalous frames found at the best threshold for 1 % and 2 % of normal frames. */
  rocPoints: { falsePositiveRate: number; recall: number | null }[];
  /** The ensemble before the temporal stage (each frame on its own), for comparison. */
  instant: MemberFigures & OperatingPoint;
  model: { version: string; members: string[]; combine: CombineRule; trainingFrames: number; covered: FrameSize; temporal?: TemporalCalibration & { intervalSeconds: number } };
}

export async function runEval(options: EvalOptions): Promise<EvalReport> {
  const started = performance.now();
  const dataset = readUcsdDataset(options.dataset);
  // Upscaling adds no detail: small frames (UCSD's 238 px) are analysed at their own size.
  const width = options.width ?? Math.min(DEFAULT_EVAL_WIDTH, (await datasetNativeSize(dataset)).width);
  if (!(Number.isInteger(width) && width >= 16)) throw new DatasetError(`analysis width must be a whole number ≥ 16, got ${width}`);
  const size = await datasetFrameSize(dataset, width);
  const fps = options.datasetFps ?? 10;
  const stride = Math.max(1, Math.round(fps / (options.trainFps ?? Infinity)));
  const progress = options.onProgress ?? (() => undefined);

  const train = await decodeTrain(dataset, size, stride, fps, (done, total) => progress({ phase: 'decode', done, total }));
  const backend = await initBackend();
  const t0 = performance.now();
  const model = await fitCameraModel(train, {
    cameraId: 'eval',
    ...(options.members ? { members: options.members } : {}),
    ...(options.combine ? { combine: options.combine } : {}),
    fps: fps / stride,
    onProgress: ({ done, total }) => progress({ phase: 'fit', done, total }),
  });
  const trainSeconds = (performance.now() - t0) / 1000;
  train.length = 0; // let the training frames go before the test clips are decoded

  const memberNames = model.manifest.members.map((m) => m.name);
  const withMasks = dataset.test.some((c) => c.maskFiles);
  const memberPixels = options.memberPixels ?? true;
  const total = dataset.test.reduce((n, c) => n + c.files.length, 0);
  let scored = 0;
  const onFrame = () => progress({ phase: 'score', done: ++scored, total });
  const threads = Math.max(1, Math.min(options.threads ?? availableParallelism(), dataset.test.length));
  const scoreStart = performance.now();
  let shares: ScoredShare[];
  if (threads === 1) {
    shares = [await scoreClips(model, dataset.test, size, fps, memberPixels, onFrame)];
  } else {
    // Each thread loads the fitted model from disk and scores a share of the clips (balanced by frames).
    const dir = mkdtempSync(join(tmpdir(), 'vigil-eval-'));
    try {
      await saveCameraModel(model, dir);
      shares = await Promise.all(splitClips(dataset.test, threads).map((clips) => scoreClipsInThread({ modelDir: dir, clips, size, fps, memberPixels }, onFrame)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const scoreWallSeconds = (performance.now() - scoreStart) / 1000;

  // Merged in the dataset's clip order, whichever thread scored a clip.
  const byName = new Map(shares.flatMap((s) => s.clips).map((c) => [c.clip, c]));
  const clips = dataset.test.map((c) => byName.get(c.name)!);
  const labels = clips.flatMap((c) => c.labels);
  const scores = clips.flatMap((c) => c.scores);
  const instant = clips.flatMap((c) => c.instant);
  const cascadeScores = clips.flatMap((c) => c.cascade);
  const backboneRan = clips.reduce((n, c) => n + c.backboneRan, 0);
  const scoreMs = clips.reduce((n, c) => n + c.scoreMs, 0);
  const pixel = new PixelAucAccumulator(),
    cascadePixel = new PixelAucAccumulator();
  const memberPixel = new Map<string, PixelAucAccumulator>();
  for (const share of shares) {
    pixel.merge(share.pixel);
    cascadePixel.merge(share.cascadePixel);
    for (const [name, counts] of Object.entries(share.memberPixel)) {
      if (!memberPixel.has(name)) memberPixel.set(name, new PixelAucAccumulator());
      memberPixel.get(name)!.merge(counts);
    }
  }

  const members: Record<string, MemberFigures> = {};
  for (const name of memberNames) {
    const ms = clips.flatMap((c) => c.members[name]!);
    const figures: MemberFigures = { frameAUROC: figure(rocAuc(ms, labels)), frameAP: figure(averagePrecision(ms, labels)) };
    const acc = memberPixel.get(name) ?? (memberNames.length === 1 ? pixel : undefined);
    if (acc) figures.pixelAUROC = figure(acc.auc());
    members[name] = figures;
  }
  const twoTiers = cascadeScores.length > 0;

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
    threads,
    wallSeconds: round((performance.now() - started) / 1000, 1),
    scoreWallSeconds: round(scoreWallSeconds, 1),
    frameAUROC: figure(rocAuc(scores, labels)),
    frameAP: figure(averagePrecision(scores, labels)),
    ...(withMasks ? { pixelAUROC: figure(pixel.auc()) } : {}),
    atThreshold: operatingPoint(scores, labels),
    rocPoints: [0.01, 0.02].map((fpr) => ({ falsePositiveRate: fpr, recall: figure(recallAtFalsePositiveRate(scores, labels, fpr)) })),
    instant: { frameAUROC: figure(rocAuc(instant, labels)), frameAP: figure(averagePrecision(instant, labels)), ...operatingPoint(instant, labels) },
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
    model: {
      version: model.manifest.version,
      members: memberNames,
      combine: model.manifest.combine ?? 'max',
      trainingFrames: model.manifest.trainingFrames,
      covered: model.covered,
      ...(model.manifest.temporal ? { temporal: model.manifest.temporal } : {}),
    },
  };
}

/** Clips in `n` shares of about equal frame counts (longest first, each to the lightest share). */
function splitClips(clips: DatasetTestClip[], n: number): DatasetTestClip[][] {
  const shares = Array.from({ length: n }, () => ({ frames: 0, clips: [] as DatasetTestClip[] }));
  for (const clip of [...clips].sort((a, b) => b.files.length - a.files.length)) {
    const lightest = shares.reduce((a, b) => (b.frames < a.frames ? b : a));
    lightest.clips.push(clip);
    lightest.frames += clip.files.length;
  }
  return shares.map((s) => s.clips).filter((c) => c.length > 0);
}

/** Every Train clip's frames (every `stride`-th), each with its true predecessor and background pair from the same clip. */
async function decodeTrain(dataset: UcsdDataset, size: FrameSize, stride: number, fps: number, onProgress: (done: number, total: number) => void): Promise<FrameInput[]> {
  const total = dataset.train.reduce((n, c) => n + c.files.length, 0);
  const out: FrameInput[] = [];
  let done = 0;
  for (const clip of dataset.train) {
    const inputs = clipInputs(await decodeClipFrames(clip, size), size, fps);
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
