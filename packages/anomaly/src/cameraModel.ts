/**
 * A camera's model: an ensemble of detectors fitted on that camera's normal frames, each member's raw
 * score normalised by its calibration so 1 is the threshold. The live worker and the CLI both use it.
 * Calibration is cross-fitted: the training frames are cut into contiguous blocks, each block is
 * scored by a member fitted without it, and those held-out scores set the threshold; the saved
 * member is then fitted on all frames (so, if anything, it is tighter than the calibration assumed).
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelError, polygonSchema, type FrameSize, type ScoreMap } from '@vigil/core';
import { calibrate, normaliseMap, DEFAULT_CALIBRATION_MARGIN, DEFAULT_TARGET_FPR, type MemberCalibration } from './calibration.js';
import { cellWeights, hasAreas, maskedPixels, withMaskedPixels, type CameraAreas } from './areas.js';
import type { Detector, DetectorOutput } from './detector.js';
import type { Backbone } from './features/backbone.js';
import type { MemoryUse } from './features/featureMemory.js';
import type { FrameInput } from './frameInput.js';
import { DEFAULT_MEMBERS, detectorKind } from './registry.js';
import { accumulatedMap, defaultTemporalParams, evidenceScore, foldEvidence, holdScore, type EvidenceState, type TemporalCalibration, type TemporalParams } from './temporal/evidence.js';

export const MODEL_FORMAT = 'vigil-camera-model';
export const MODEL_FORMAT_VERSION = 1;

export interface MemberManifest {
  name: string;
  params: Record<string, unknown>;
  calibration: MemberCalibration;
  /** Pixels of the frame the member's map covers, from the top-left corner. */
  covered: FrameSize;
  state: Record<string, unknown>;
  /** Float32 little-endian array files beside the manifest. */
  arrays: Record<string, { file: string; length: number }>;
}

export interface CameraModelManifest {
  format: typeof MODEL_FORMAT;
  formatVersion: number;
  version: string;
  cameraId: string;
  createdAt: string;
  frame: FrameSize;
  trainingFrames: number;
  calibrationFolds: number;
  members: MemberManifest[];
  /** How members' normalised scores make the model's; absent in older manifests = 'max'. */
  combine?: CombineRule;
  /** 'geometric-mean' only: its own threshold on held-out frames of every member (1 = threshold). */
  ensembleCalibration?: MemberCalibration;
  /**
   * 'geometric-mean' only: each member's normalised score on the frames every member held out (same
   * order in each), so a subset of members — the cascade's cheap tier on a CPU — gets its own threshold.
   */
  ensembleHeldOut?: Record<string, number[]>;
  /** The temporal stage (temporal/evidence.ts), calibrated on the held-out frames run through it; absent in older manifests (no accumulation). */
  temporal?: TemporalCalibration & { intervalSeconds: number };
  /** Masks and zones (areas.ts) the model was fitted and calibrated with, and scores with. */
  areas?: CameraAreas;
}

/**
 * 'max': a frame is as anomalous as its most alarmed member (any member can raise an alert).
 * 'geometric-mean': members' normalised scores multiply as independent evidence (a naive-Bayes style
 * product of likelihood ratios), so one member's false positive is damped by the others; the product
 * gets its own threshold from the same held-out normal frames.
 */
export type CombineRule = 'max' | 'geometric-mean';
/**
 * The default members look for different things (motion patterns, stopped objects): either alone is
 * evidence, and a product would let the quiet one veto the other (docs/detectors.md).
 */
export const DEFAULT_COMBINE: CombineRule = 'max';
/** Floor of a normalised score before its logarithm, so a silent member does not veto the others. */
const GEOMETRIC_FLOOR = 0.05;

/** The geometric mean of normalised scores, each floored (see GEOMETRIC_FLOOR). */
export function geometricMean(values: readonly number[]): number {
  let log = 0;
  for (const v of values) log += Math.log(Math.max(v, GEOMETRIC_FLOOR));
  return Math.exp(log / values.length);
}

export interface CameraScore {
  /** Normalised: ≥ 1 is anomalous. */
  score: number;
  members: Record<string, number>;
  /** Normalised patch map (≥ 1 = anomalous patch), covering `model.covered` pixels of the frame. */
  map: ScoreMap;
  /** False while a member is still warming up (motion or background history too short): the frame must not alert. */
  warm: boolean;
  /** Over the threshold only by the temporal stage's hold: it may keep an alert open, never open one. */
  held?: true;
}

/** A frame's score after the temporal stage, and the camera's evidence with the frame folded in. */
export interface AccumulatedScore {
  score: CameraScore;
  /** Undefined when the model has no temporal stage. */
  state: EvidenceState | undefined;
}

/** One member's normalised output on a frame. */
export interface MemberScore {
  score: number;
  map: ScoreMap;
  /** An image-level member's map is all zero: it takes no part in the patch map. */
  imageLevel?: true;
  /** Still warming up (see DetectorOutput.warm). */
  cold?: true;
}

export interface CameraModel {
  readonly manifest: CameraModelManifest;
  /** Pixels of the frame the map covers, from the top-left: pass to extractRegions as coveredWidth/Height. */
  readonly covered: FrameSize;
  score(input: FrameInput): CameraScore;
  /** Like `score`, by the named members only (the cascade's tiers); `members` lists those that ran. Names not in the model are ignored. */
  scoreMembers(input: FrameInput, names: readonly string[]): CameraScore;
  /** The named members' normalised outputs, not yet combined (the cascade scores its tiers apart, then combines once). */
  memberScores(input: FrameInput, names: readonly string[]): Record<string, MemberScore>;
  /** The model's combination rule over whichever of its members ran, with the threshold calibrated for that set. */
  combine(parts: Record<string, MemberScore>): CameraScore;
  /** The pretrained backbones the named members read (each once): a worker batches frames through them before scoring. */
  backbones(names: readonly string[]): Backbone[];
  /** What the members keep in a frame's memory (the worker fetches it from Redis before scoring). */
  memoryUses(): MemoryUse[];
  /**
   * The temporal stage: folds a frame's (instant) score into the camera's evidence, captured at `atMs`,
   * and returns the accumulated score, whose map and score decide regions and alerts. A cold or gated
   * frame is not folded in. Identity for a model without a temporal stage.
   */
  accumulate(instant: CameraScore, state: EvidenceState | undefined, atMs: number, options?: { gated?: boolean }): AccumulatedScore;
  /** The same fitted model scoring with other masks and zones (an operator changed them since it was fitted). */
  withAreas(areas: CameraAreas | undefined): CameraModel;
}

export interface MemberSpec {
  name: string;
  params?: Record<string, unknown>;
}

export interface FitCameraModelOptions {
  cameraId: string;
  /** Share of normal frames allowed over threshold on held-out data, before the margin. Default 0.01. */
  targetFalsePositiveRate?: number;
  /** Threshold = held-out quantile × margin. Default 1.25. */
  margin?: number;
  /** Default: DEFAULT_MEMBERS with their default params. */
  members?: (string | MemberSpec)[];
  /** Contiguous held-out blocks for calibration. Default 5. */
  folds?: number;
  /** How members combine; default DEFAULT_COMBINE. */
  combine?: CombineRule;
  /** Called after each fit (one per calibration fold and member), for a progress bar. */
  onProgress?: (progress: { done: number; total: number; member: string }) => void;
  now?: Date;
  /** Analysed frames per second of the training frames (the camera's rate): the temporal stage's clock. Default 5. */
  fps?: number;
  /** The temporal stage's params; default defaultTemporalParams. */
  temporal?: Partial<TemporalParams>;
  /** The camera's masks and zones: applied to fitting, calibration and scoring alike. */
  areas?: CameraAreas;
}

interface Member {
  detector: Detector;
  calibration: MemberCalibration;
}

class EnsembleCameraModel implements CameraModel {
  readonly covered: FrameSize;
  private readonly areas: CameraAreaFilter | undefined;

  constructor(
    readonly manifest: CameraModelManifest,
    private readonly members: Member[],
  ) {
    this.covered = members[0]!.detector.covered;
    this.areas = hasAreas(manifest.areas) ? new CameraAreaFilter(manifest.areas, manifest.frame) : undefined;
  }

  memberArrays(i: number): Record<string, Float32Array> {
    return this.members[i]!.detector.exportState().arrays;
  }

  score(input: FrameInput): CameraScore {
    return this.scoreMembers(
      input,
      this.members.map((m) => m.detector.name),
    );
  }

  scoreMembers(input: FrameInput, names: readonly string[]): CameraScore {
    return this.combine(this.memberScores(input, names));
  }

  backbones(names: readonly string[]): Backbone[] {
    const found = this.members.filter((m) => names.includes(m.detector.name)).map((m) => m.detector.backbone);
    return [...new Set(found.filter((b): b is Backbone => b !== undefined))];
  }

  memberScores(input: FrameInput, names: readonly string[]): Record<string, MemberScore> {
    const { width, height } = this.manifest.frame;
    if (input.width !== width || input.height !== height) {
      throw new ModelError(`model ${this.manifest.version} of camera ${this.manifest.cameraId} expects ${width}x${height} frames, got ${input.width}x${input.height}`);
    }
    const out: Record<string, MemberScore> = {};
    const seen = this.areas ? this.areas.frame(input) : input;
    for (const { detector, calibration } of this.members) {
      if (!names.includes(detector.name)) continue;
      const output = detector.score(seen);
      out[detector.name] = memberScoreOf(this.areas ? this.areas.output(output, detector.covered) : output, calibration);
    }
    return out;
  }

  combine(all: Record<string, MemberScore>): CameraScore {
    const given = Object.keys(all);
    if (given.length === 0) throw new RangeError(`model ${this.manifest.version}: no member scores to combine`);
    // A member still warming up (a young background pair, motion pooled over too few frames) is left out:
    // its output is not evidence yet, and it must neither raise the score nor silence the rest.
    const scores = Object.fromEntries(given.map((n) => [n, all[n]!.score]));
    const warmNames = given.filter((n) => !all[n]!.cold);
    if (warmNames.length === 0) {
      const { cols, rows } = all[given[0]!]!.map;
      return { score: 0, members: scores, map: { cols, rows, data: new Float32Array(cols * rows) }, warm: false };
    }
    const parts = warmNames.map((n) => all[n]!);
    const values = parts.map((p) => p.score);
    const withMap = parts.filter((p) => !p.imageLevel).map((p) => p.map);
    const maps = withMap.length > 0 ? withMap : [parts[0]!.map];
    const t = this.manifest.combine === 'geometric-mean' && values.length > 1 ? this.geometricThreshold(warmNames) : undefined;
    if (t === undefined) return { score: Math.max(...values), members: scores, map: combineMaps(maps, (v) => Math.max(...v)), warm: true };
    return { score: geometricMean(values) / t, members: scores, map: combineMaps(maps, (v) => geometricMean(v) / t), warm: true };
  }

  withAreas(areas: CameraAreas | undefined): CameraModel {
    const next = hasAreas(areas) ? areas : undefined;
    if (JSON.stringify(next ?? null) === JSON.stringify(this.manifest.areas ?? null)) return this;
    const { areas: _old, ...rest } = this.manifest;
    return new EnsembleCameraModel(next ? { ...rest, areas: next } : rest, this.members);
  }

  memoryUses(): MemoryUse[] {
    return this.members.flatMap((m) => (m.detector.memory ? [m.detector.memory] : []));
  }

  accumulate(instant: CameraScore, state: EvidenceState | undefined, atMs: number, options: { gated?: boolean } = {}): AccumulatedScore {
    const temporal = this.manifest.temporal;
    if (!temporal) return { score: instant, state };
    if (!(instant.warm && !options.gated)) return { score: applyEvidence(instant, state, temporal), state };
    const next = foldEvidence(state, instant.map, atMs, temporal.intervalSeconds, temporal.params);
    // Hysteresis: shortly after a crossing the camera is judged against the hold level, and a frame crossing so holds on.
    return holdScore(applyEvidence(instant, next, temporal), next, atMs, temporal.params);
  }

  private readonly subsetThresholds = new Map<string, number | undefined>();

  /** The geometric mean's threshold for this set of members; undefined (→ max) when the manifest cannot say. */
  private geometricThreshold(names: string[]): number | undefined {
    const key = [...names].sort().join(',');
    if (this.subsetThresholds.has(key)) return this.subsetThresholds.get(key);
    let t: number | undefined;
    const all = this.manifest.members.map((m) => m.name);
    const heldOut = this.manifest.ensembleHeldOut;
    if (names.length === all.length && this.manifest.ensembleCalibration) t = this.manifest.ensembleCalibration.threshold;
    else if (heldOut && names.every((n) => Array.isArray(heldOut[n]) && heldOut[n]!.length > 0)) {
      const frames = heldOut[names[0]!]!.length;
      const combined = Array.from({ length: frames }, (_, i) => geometricMean(names.map((n) => heldOut[n]![i] ?? 0)));
      const { targetFalsePositiveRate, margin } = this.members[0]!.calibration;
      t = calibrate(combined, targetFalsePositiveRate, margin).threshold;
    }
    this.subsetThresholds.set(key, t);
    return t;
  }
}

/** Cell by cell over maps of one grid (a map of another grid is left out). */
function combineMaps(maps: ScoreMap[], rule: (values: number[]) => number): ScoreMap {
  const first = maps[0]!;
  const same = maps.filter((m) => m.cols === first.cols && m.rows === first.rows);
  if (same.length === 1) return first;
  const data = new Float32Array(first.data.length);
  const cell: number[] = new Array(same.length);
  for (let i = 0; i < data.length; i++) {
    for (let k = 0; k < same.length; k++) cell[k] = same[k]!.data[i]!;
    data[i] = rule(cell);
  }
  return { cols: first.cols, rows: first.rows, data };
}

/** A camera's masks and zones applied to what members see and what they say (areas.ts). */
class CameraAreaFilter {
  private readonly pixels: Uint8Array;
  private readonly weights = new Map<string, Float32Array>();

  constructor(
    private readonly areas: CameraAreas,
    private readonly size: FrameSize,
  ) {
    this.pixels = maskedPixels(areas, size.width, size.height);
  }

  frame(input: FrameInput): FrameInput {
    return this.areas.masks?.length ? withMaskedPixels(input, this.pixels) : input;
  }

  /** The member's map with hidden and unwatched cells at 0, and its raw score scaled as its map's peak was. */
  output(out: DetectorOutput, covered: FrameSize): DetectorOutput {
    const { cols, rows } = out.map;
    const key = `${cols}x${rows}:${covered.width}x${covered.height}`;
    let w = this.weights.get(key);
    if (!w) this.weights.set(key, (w = cellWeights(this.areas, this.size, cols, rows, covered)));
    const data = new Float32Array(out.map.data.length);
    let before = 0,
      after = 0;
    for (let c = 0; c < data.length; c++) {
      const v = out.map.data[c]!;
      if (v > before) before = v;
      data[c] = v * w[c]!;
      if (data[c]! > after) after = data[c]!;
    }
    // An image-level member (no map) keeps its score: masks cannot say where it looked.
    const raw = before > 0 ? out.raw * (after / before) : out.raw;
    return { ...out, raw, map: { cols, rows, data } };
  }
}

/** The accumulated score of a frame: its map and score through the temporal stage (temporal/evidence.ts). */
function applyEvidence(instant: CameraScore, state: EvidenceState | undefined, temporal: TemporalCalibration): CameraScore {
  if (!state) return { ...instant, score: instant.score / temporal.threshold, map: scaleMap(instant.map, 1 / temporal.threshold) };
  const evidence = evidenceScore(instant.map, state, temporal.params, temporal.evidenceThreshold);
  return { ...instant, score: Math.max(instant.score, evidence) / temporal.threshold, map: accumulatedMap(instant.map, state, temporal) };
}

function scaleMap(map: ScoreMap, k: number): ScoreMap {
  return { cols: map.cols, rows: map.rows, data: map.data.map((v) => v * k) };
}

export async function fitCameraModel(frames: FrameInput[], options: FitCameraModelOptions): Promise<CameraModel> {
  const { cameraId } = options;
  const folds = options.folds ?? 5;
  const fpr = options.targetFalsePositiveRate ?? DEFAULT_TARGET_FPR;
  const margin = options.margin ?? DEFAULT_CALIBRATION_MARGIN;
  if (frames.length === 0) throw new ModelError(`no training frames for camera ${cameraId}`);
  if (!Number.isInteger(folds) || folds < 2) throw new RangeError(`folds must be an integer ≥ 2, got ${folds}`);
  const { width, height } = frames[0]!;
  const specs = (options.members ?? DEFAULT_MEMBERS).map((m): MemberSpec => (typeof m === 'string' ? { name: m } : m));
  const areas = hasAreas(options.areas) ? new CameraAreaFilter(options.areas, { width, height }) : undefined;
  if (areas) frames = frames.map((f) => areas.frame(f));
  const judged = (out: DetectorOutput, detector: { covered: FrameSize }) => (areas ? areas.output(out, detector.covered) : out);

  const members: Member[] = [];
  /** Per member, its output on each frame it held out (by frame index): the ensemble and the temporal stage calibrate on frames all held out. */
  const heldOutByFrame: Map<number, DetectorOutput>[] = [];
  let fitsDone = 0;
  const fitsTotal = specs.reduce((n, s) => n + (detectorKind(s.name).calibration === 'hold-out' ? 1 : folds + 1), 0);
  for (const spec of specs) {
    const kind = detectorKind(spec.name);
    const fitted = async () => {
      options.onProgress?.({ done: ++fitsDone, total: fitsTotal, member: spec.name });
      await yieldToLoop();
    };
    const blocks = Array.from({ length: folds }, (_, f) => [Math.floor((f * frames.length) / folds), Math.floor(((f + 1) * frames.length) / folds)] as const);
    if (kind.calibration === 'hold-out') {
      // One fit: every other block is held out for calibration, and the fit is kept.
      const held = new Set(blocks.filter((_, f) => f % 2 === 1).flatMap(([a, b]) => Array.from({ length: b - a }, (_, k) => a + k)));
      const detector = await kind.fit(
        frames.filter((_, i) => !held.has(i)),
        spec.params,
      );
      await fitted();
      const byFrame = new Map<number, DetectorOutput>();
      let n = 0;
      for (const i of held) {
        byFrame.set(i, judged(detector.score(frames[i]!), detector));
        if (++n % 16 === 0) await yieldToLoop();
      }
      heldOutByFrame.push(byFrame);
      members.push({ detector, calibration: calibrate(rawsOf(byFrame), fpr, margin) });
      continue;
    }
    const byFrame = new Map<number, DetectorOutput>();
    for (const [a, b] of blocks) {
      const fold = await kind.fit([...frames.slice(0, a), ...frames.slice(b)], spec.params);
      await fitted();
      for (let i = a; i < b; i++) byFrame.set(i, judged(fold.score(frames[i]!), fold));
    }
    heldOutByFrame.push(byFrame);
    const detector = await kind.fit(frames, spec.params);
    await fitted();
    members.push({ detector, calibration: calibrate(rawsOf(byFrame), fpr, margin) });
  }

  const combine = options.combine ?? DEFAULT_COMBINE;
  let ensembleCalibration: MemberCalibration | undefined;
  let ensembleHeldOut: Record<string, number[]> | undefined;
  // Frames every member held out, in order: the ensemble and the temporal stage calibrate on them.
  const common = [...heldOutByFrame[0]!.keys()].filter((i) => heldOutByFrame.every((m) => m.has(i))).sort((a, b) => a - b);
  if (combine === 'geometric-mean' && members.length > 1) {
    // Five significant digits: thresholds recomputed from the manifest match these to well under a percent.
    ensembleHeldOut = Object.fromEntries(members.map((m, k) => [m.detector.name, common.map((i) => Number((heldOutByFrame[k]!.get(i)!.raw / m.calibration.threshold).toPrecision(5)))]));
    const combined = common.map((_, j) => geometricMean(members.map((m) => ensembleHeldOut![m.detector.name]![j]!)));
    ensembleCalibration = calibrate(combined, fpr, margin);
  }

  const createdAt = (options.now ?? new Date()).toISOString();
  const manifest: CameraModelManifest = {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    version: '',
    cameraId,
    createdAt,
    frame: { width, height },
    trainingFrames: frames.length,
    calibrationFolds: folds,
    members: members.map(({ detector, calibration }) => {
      const { state, arrays } = detector.exportState();
      return {
        name: detector.name,
        params: { ...detector.params } as Record<string, unknown>,
        calibration,
        covered: detector.covered,
        state,
        arrays: Object.fromEntries(Object.entries(arrays).map(([key, a]) => [key, { file: `${detector.name}.${key}.f32`, length: a.length }])),
      };
    }),
    combine,
    ...(ensembleCalibration ? { ensembleCalibration } : {}),
    ...(ensembleHeldOut ? { ensembleHeldOut } : {}),
    ...(hasAreas(options.areas) ? { areas: options.areas } : {}),
  };
  const fps = options.fps ?? 5;
  if (!(fps > 0 && fps <= 60)) throw new RangeError(`fps must be in (0, 60], got ${fps}`);
  const untimed = new EnsembleCameraModel(manifest, members);
  const instants = common.map((i) => ({
    index: i,
    seq: frames[i]!.seq ?? i,
    score: untimed.combine(Object.fromEntries(members.map((m, k) => [m.detector.name, memberScoreOf(heldOutByFrame[k]!.get(i)!, m.calibration)]))),
  }));
  manifest.temporal = calibrateTemporal(instants, { ...defaultTemporalParams, ...options.temporal }, 1 / fps, fpr, margin);
  manifest.version = modelVersion(
    createdAt,
    manifest,
    members.map((m) => m.detector),
  );
  return new EnsembleCameraModel(manifest, members);
}

function rawsOf(byFrame: Map<number, DetectorOutput>): number[] {
  return [...byFrame.values()].map((o) => o.raw);
}

/** A member's held-out output, normalised as `memberScores` would. */
function memberScoreOf(out: DetectorOutput, calibration: MemberCalibration): MemberScore {
  const imageLevel = !out.map.data.some((v) => v !== 0);
  return {
    score: out.raw / calibration.threshold,
    map: imageLevel ? out.map : normaliseMap(out.map, calibration),
    ...(imageLevel ? { imageLevel: true as const } : {}),
    ...(out.warm === false ? { cold: true as const } : {}),
  };
}

/**
 * Below this the evidence threshold is not trusted (held-out footage is short and quiet): a cell just
 * under its threshold (0.95) for about 5 s reaches it. Lower, live traffic footage alerted on trees that
 * the background pair holds at 0.8–0.9 for seconds on end (test/e2e/rtspToWebsocket.test.ts).
 */
const MIN_EVIDENCE_THRESHOLD = 1.5;

/**
 * Runs the held-out frames through the temporal stage in order — a run restarts where the frames are not
 * consecutive (another held-out block, another clip) — and calibrates both routes on them: h_E on the
 * largest cell evidence of each frame, h_A on the accumulated score (never below 1: each route is already
 * calibrated to the target, so their maximum may only be raised).
 */
function calibrateTemporal(
  instants: { index: number; seq: number; score: CameraScore }[],
  params: TemporalParams,
  intervalSeconds: number,
  fpr: number,
  margin: number,
): TemporalCalibration & { intervalSeconds: number } {
  const evidence: number[] = [];
  let state: EvidenceState | undefined;
  let last: { index: number; seq: number } | undefined;
  for (const f of instants) {
    if (!last || f.index !== last.index + 1 || f.seq <= last.seq) state = undefined;
    const at = f.seq * intervalSeconds * 1000;
    if (f.score.warm) state = foldEvidence(state, f.score.map, at, intervalSeconds, params);
    evidence.push(state ? evidenceScore(f.score.map, state, params) : 0);
    last = f;
  }
  const evidenceThreshold = Math.max(MIN_EVIDENCE_THRESHOLD, evidence.length ? calibrate(evidence, fpr, margin).threshold : 0);
  const accumulated = instants.map((f, j) => Math.max(f.score.score, evidence[j]! / evidenceThreshold));
  const threshold = Math.max(1, accumulated.length ? calibrate(accumulated, fpr, 1).threshold : 1);
  return { params, evidenceThreshold, threshold, intervalSeconds };
}

/** Fitting runs in a live service's process (ingest learns a new camera): let its I/O in between steps. */
function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Time of creation plus a content hash, so two models fitted in the same second still differ. */
function modelVersion(createdAt: string, manifest: CameraModelManifest, detectors: Detector[]): string {
  const hash = createHash('sha256').update(JSON.stringify({ ...manifest, version: '' }));
  for (const d of detectors) for (const a of Object.values(d.exportState().arrays)) hash.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  return `${createdAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${hash.digest('hex').slice(0, 8)}`;
}

export async function saveCameraModel(model: CameraModel, dir: string): Promise<void> {
  if (!(model instanceof EnsembleCameraModel)) throw new TypeError('not a camera model made by fitCameraModel or loadCameraModel');
  await mkdir(dir, { recursive: true });
  for (const [i, member] of model.manifest.members.entries()) {
    const arrays = model.memberArrays(i);
    for (const [key, { file }] of Object.entries(member.arrays)) {
      const a = arrays[key]!;
      await writeFile(join(dir, file), toLittleEndian(a));
    }
  }
  // Manifest last and by rename: a directory with a manifest is a complete model.
  const tmp = join(dir, `manifest.json.${process.pid}.tmp`);
  await writeFile(tmp, JSON.stringify(model.manifest, null, 2) + '\n');
  await rename(tmp, join(dir, 'manifest.json'));
}

export async function loadCameraModel(dir: string): Promise<CameraModel> {
  const fail = (what: string): never => {
    throw new ModelError(`model directory ${dir}: ${what}`);
  };
  let text = '';
  try {
    text = await readFile(join(dir, 'manifest.json'), 'utf8');
  } catch (err) {
    fail(`cannot read manifest.json (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let manifest: CameraModelManifest;
  try {
    manifest = JSON.parse(text) as CameraModelManifest;
  } catch {
    return fail('manifest.json is not valid JSON');
  }
  if (manifest?.format !== MODEL_FORMAT) fail(`manifest.json is not a ${MODEL_FORMAT} manifest`);
  if (manifest.formatVersion !== MODEL_FORMAT_VERSION) fail(`manifest formatVersion ${manifest.formatVersion} is not supported (expected ${MODEL_FORMAT_VERSION})`);
  if (typeof manifest.cameraId !== 'string' || typeof manifest.version !== 'string') fail('manifest lacks cameraId or version');
  const frame = manifest.frame;
  if (!frame || !(Number.isInteger(frame.width) && frame.width > 0 && Number.isInteger(frame.height) && frame.height > 0)) fail('manifest frame size is missing or invalid');
  if (!Array.isArray(manifest.members) || manifest.members.length === 0) fail('manifest lists no members');

  const t = manifest.temporal;
  if (t !== undefined) {
    const positive = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v > 0;
    const p = t?.params;
    if (!(positive(t?.evidenceThreshold) && positive(t?.threshold) && positive(t?.intervalSeconds) && positive(p?.seconds) && typeof p?.floor === 'number' && positive(p?.cap) && p.cap > p.floor)) {
      fail('manifest temporal stage is invalid (needs positive thresholds, interval and seconds, and cap > floor)');
    }
  }
  if (manifest.areas !== undefined && !validAreas(manifest.areas)) fail('manifest areas are invalid (masks and zones must be lists of polygons of 3 or more [x, y] points in 0–1)');
  const members: Member[] = [];
  for (const m of manifest.members) {
    const c = m?.calibration;
    if (!c || !(typeof c.threshold === 'number' && Number.isFinite(c.threshold) && c.threshold > 0)) fail(`member ${m?.name}: calibration threshold is missing or invalid`);
    if (!m.arrays || typeof m.arrays !== 'object') fail(`member ${m.name}: no array files listed`);
    const arrays: Record<string, Float32Array> = {};
    for (const [key, entry] of Object.entries(m.arrays)) {
      if (!entry || typeof entry.file !== 'string' || !Number.isInteger(entry.length) || /[\\/]/.test(entry.file)) fail(`member ${m.name}: bad entry for array ${key}`);
      let bytes: Buffer;
      try {
        bytes = await readFile(join(dir, entry.file));
      } catch (err) {
        return fail(`member ${m.name}: cannot read ${entry.file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      }
      if (bytes.length !== entry.length * 4) fail(`member ${m.name}: ${entry.file} has ${bytes.length} bytes, expected ${entry.length * 4}`);
      const a = fromLittleEndian(bytes);
      for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) fail(`member ${m.name}: ${entry.file} holds a non-finite value at ${i}`);
      arrays[key] = a;
    }
    let detector: Detector;
    try {
      detector = detectorKind(m.name).restore(m.params ?? {}, { state: m.state ?? {}, arrays }, frame);
    } catch (err) {
      return fail(`member ${m.name}: ${(err as Error).message}`);
    }
    members.push({ detector, calibration: c });
  }
  return new EnsembleCameraModel(manifest, members);
}

/** Masks and zones as the config accepts them: lists of polygons of 3 or more [x, y] points in 0–1. */
function validAreas(areas: unknown): boolean {
  const polygons = polygonSchema.array().optional();
  return typeof areas === 'object' && areas !== null && polygons.safeParse((areas as CameraAreas).masks).success && polygons.safeParse((areas as CameraAreas).zones).success;
}

function toLittleEndian(a: Float32Array): Uint8Array {
  const out = new Uint8Array(a.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < a.length; i++) view.setFloat32(i * 4, a[i]!, true);
  return out;
}

function fromLittleEndian(bytes: Uint8Array): Float32Array {
  const a = new Float32Array(bytes.length / 4);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < a.length; i++) a[i] = view.getFloat32(i * 4, true);
  return a;
}
