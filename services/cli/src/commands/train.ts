/**
 * `vigil train`: fit a camera's model on its normal footage — a video file (looped when --seconds asks
 * for more than it holds), a folder of images or of image clips, or a live RTSP/HTTP URL — plus the
 * frames operators marked as false alarms, and write it as a new version directory under --out.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { feedbackNormalDir, loadConfig, StreamError, UsageError, type CameraConfig, type FrameSize } from '@vigil/core';
import {
  areasOfCamera,
  cameraModelsDir,
  learnCameraModel,
  framesWithPrev,
  withBackgrounds,
  initBackend,
  SequenceMemory,
  type CameraModelManifest,
  type CombineRule,
  type FrameInput,
} from '@vigil/anomaly';
import { decodeFrames, decodeImageSequence, imageSequenceSize, isNetworkUrl, listImageFiles, probeVideo } from '@vigil/video';
import { terminalProgress, type PhaseProgress } from '../progress.js';
import { checkMembers } from './eval.js';

export interface TrainCommandOptions {
  camera: string;
  input: string;
  out?: string;
  data?: string;
  /** Seconds of footage to learn from; default: all of a file or folder, 30 s of a live URL. */
  seconds?: number;
  fps?: number;
  width?: number;
  members?: string[];
  combine?: CombineRule;
  /** A config file: the camera's masks and zones, and its fps, width, members and combine rule unless given. */
  config?: string;
}

/** What the manifest's `training` block records about how the model was made. */
export interface TrainingSummary {
  input: string;
  frames: number;
  seconds: number;
  fps: number;
  width: number;
  members: string[];
  combine: CombineRule;
  backend: string;
  trainSeconds: number;
  /** Operator-marked normal frames (false alarms) folded in. */
  feedbackFrames: number;
  /** Times a file was played through to reach --seconds. */
  passes: number;
}

const LIVE_DEFAULT_SECONDS = 30;

/** The camera of a config file (an unknown id is the user's mistake: one line naming the ids there are). */
function cameraOf(file: string, id: string): CameraConfig {
  const config = loadConfig(file);
  const camera = config.cameras.find((c) => c.id === id);
  if (!camera) throw new UsageError(`--camera ${id}: not in ${file} (cameras there: ${config.cameras.map((c) => c.id).join(', ')})`);
  return camera;
}

export async function runTrain(opts: TrainCommandOptions): Promise<{ dir: string; manifest: CameraModelManifest & { training: TrainingSummary } }> {
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(opts.camera)) throw new UsageError(`--camera "${opts.camera}": must be 1–64 letters, digits, "-" or "_"`);
  const outRoot = opts.out ? resolve(opts.out) : opts.data ? cameraModelsDir(resolve(opts.data), opts.camera) : undefined;
  if (!outRoot) throw new UsageError('--out DIR is required (or --data DIR, to write under DIR/models/<camera>/)');
  const camera = opts.config ? cameraOf(opts.config, opts.camera) : undefined;
  const members = opts.members ?? camera?.members;
  const combine = opts.combine ?? camera?.combine;
  if (members) checkMembers(members);
  const fps = opts.fps ?? camera?.fps ?? 5;
  const width = opts.width ?? camera?.width ?? 320;
  const areas = camera ? areasOfCamera(camera) : undefined;

  const progress = terminalProgress();
  try {
    const read = await readTrainingFrames(opts.input, { fps, width, ...(opts.seconds !== undefined ? { seconds: opts.seconds } : {}) }, progress);
    // After decoding, so that a bad input is reported before the backend's log line.
    const backend = await initBackend();
    const feedback = opts.data ? readFeedbackFrames(feedbackNormalDir(resolve(opts.data), opts.camera), read.size) : [];
    const t0 = performance.now();
    const fitOptions = {
      cameraId: opts.camera,
      ...(members ? { members } : {}),
      ...(combine ? { combine } : {}),
      ...(camera ? { targetFalsePositiveRate: camera.targetFalsePositiveRate } : {}),
      ...(areas ? { areas } : {}),
      fps,
      onProgress: ({ done, total }: { done: number; total: number }) => progress.update('training', done, total),
    };
    // The summary names the fitted members, so it is built from the fit's manifest before the version is published.
    const learned = await learnCameraModel([...read.frames, ...feedback], fitOptions, outRoot, (fitted) => {
      const training: TrainingSummary = {
        input: opts.input,
        frames: read.frames.length,
        seconds: Math.round((read.frames.length / fps) * 100) / 100,
        fps,
        width,
        members: fitted.members.map((m) => m.name),
        combine: fitted.combine ?? 'max',
        backend,
        trainSeconds: Math.round((performance.now() - t0) / 10) / 100,
        feedbackFrames: feedback.length,
        passes: read.passes,
      };
      return { training };
    });
    progress.stop();
    const { dir } = learned;
    const manifest = learned.manifest as CameraModelManifest & { training: TrainingSummary };
    const { training } = manifest;
    process.stdout.write(
      `vigil train: camera ${opts.camera} model ${learned.version} written to ${dir}\n` +
        `  ${training.frames} frames (${training.seconds} s at ${fps} fps${read.passes > 1 ? `, ${read.passes} passes` : ''}, ${read.size.width}x${read.size.height})` +
        `${feedback.length ? ` + ${feedback.length} feedback frames` : ''}; members ${training.members.join(', ')} (${training.combine}); ${backend}; fitted in ${training.trainSeconds} s\n`,
    );
    return { dir, manifest };
  } finally {
    progress.stop();
  }
}

interface ReadOptions {
  fps: number;
  width: number;
  seconds?: number;
}

interface TrainingFrames {
  frames: FrameInput[];
  size: FrameSize;
  passes: number;
}

async function readTrainingFrames(input: string, opts: ReadOptions, progress: PhaseProgress): Promise<TrainingFrames> {
  if (isNetworkUrl(input)) return readVideo(input, opts, progress, true);
  if (!existsSync(input)) throw new UsageError(`--input ${input}: no such file or folder`);
  if (statSync(input).isDirectory()) return readImageFolder(input, opts, progress);
  return readVideo(input, opts, progress, false);
}

/** A file is played again from the start until --seconds of frames are read; the first frame of a pass has no predecessor. */
async function readVideo(url: string, opts: ReadOptions, progress: PhaseProgress, live: boolean): Promise<TrainingFrames> {
  const fileSeconds = live ? undefined : (await probeVideo(url)).durationSeconds;
  const seconds = opts.seconds ?? (live ? LIVE_DEFAULT_SECONDS : fileSeconds!);
  const wanted = Math.max(1, Math.round(seconds * opts.fps));
  const frames: FrameInput[] = [];
  let size: FrameSize | undefined;
  let passes = 0;
  while (frames.length < wanted) {
    passes++;
    let prev: Uint8Array | undefined;
    let read = 0;
    // Each pass is a run of its own: members pool features over its consecutive frames only.
    const memory = new SequenceMemory();
    for await (const f of decodeFrames(url, { fps: opts.fps, width: opts.width, maxFrames: wanted - frames.length })) {
      size = { width: f.width, height: f.height };
      const run = { seq: read, memory };
      frames.push(prev ? { data: f.data, ...size, prev, ...run } : { data: f.data, ...size, ...run });
      prev = f.data;
      read++;
      progress.update('decoding', frames.length, wanted);
    }
    if (read === 0) {
      if (frames.length === 0) throw new StreamError(`${url}: no frames decoded`);
      break;
    }
    if (live) break;
  }
  // The background pair runs on across passes, as a live camera's would.
  return { frames: withBackgrounds(frames), size: size!, passes };
}

/** A folder of images (one clip) or of clip folders (like a UCSD Train/): frames in name order, predecessors within a clip. */
async function readImageFolder(dir: string, opts: ReadOptions, progress: PhaseProgress): Promise<TrainingFrames> {
  const direct = listImageFiles(dir);
  const clips = direct.length
    ? [direct]
    : readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
        .map((e) => e.name)
        .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
        .map((name) => listImageFiles(join(dir, name)))
        .filter((files) => files.length > 0);
  if (clips.length === 0) throw new UsageError(`--input ${dir}: no images (.tif, .png, .jpg, .bmp) in it or in its sub-folders`);
  const limit = opts.seconds !== undefined ? Math.max(1, Math.round(opts.seconds * opts.fps)) : Infinity;
  const total = Math.min(
    limit,
    clips.reduce((n, c) => n + c.length, 0),
  );
  const size = await imageSequenceSize(clips[0]![0]!, opts.width);
  const frames: FrameInput[] = [];
  for (const files of clips) {
    if (frames.length >= total) break;
    const decoded = await decodeImageSequence(files.slice(0, total - frames.length), { size });
    frames.push(...withBackgrounds(framesWithPrev(decoded, size.width, size.height)));
    progress.update('decoding', frames.length, total);
  }
  return { frames, size, passes: 1 };
}

/** Operator-marked false alarms (`<alertId>.rgb` + `<alertId>.json` {width, height}); frames of another size are skipped. */
function readFeedbackFrames(dir: string, size: FrameSize): FrameInput[] {
  if (!existsSync(dir)) return [];
  const out: FrameInput[] = [];
  for (const name of readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .sort()) {
    const rgbFile = join(dir, name.replace(/\.json$/, '.rgb'));
    if (!existsSync(rgbFile)) continue;
    let meta: { width?: unknown; height?: unknown };
    try {
      meta = JSON.parse(readFileSync(join(dir, name), 'utf8')) as typeof meta;
    } catch {
      continue;
    }
    const data = new Uint8Array(readFileSync(rgbFile));
    if (meta.width !== size.width || meta.height !== size.height || data.length !== size.width * size.height * 3) continue;
    out.push({ data, ...size });
  }
  return out;
}
