/**
 * Retrospective review: the live pipeline — camera model, regions, alert lifecycle — run over a
 * recorded file as fast as it decodes, with video time (ms from 0) as capture time, so an alert here
 * starts and ends where the live system would have put it.
 */
import { existsSync, statSync } from 'node:fs';
import { alertPolicySchema, ModelError, StreamError, UsageError, type AlertPolicy, type Region } from '@vigil/core';
import { BackgroundPair, initBackend, loadCameraModel, MemoryEvidence, scoreFrame, SequenceMemory, SequentialCascade, type CameraModel, type CascadeSettings } from '@vigil/anomaly';
import { AlertLifecycle, newAlertId, type LifecycleEvent } from '@vigil/alerts';
import { decodeFrames, drawBoxes, encodeJpeg, isNetworkUrl, probeVideo } from '@vigil/video';
import type { ReviewAlert, ReviewReport, ReviewResult, TimelinePoint } from './report.js';

export const DEFAULT_REVIEW_FPS = 5;

/** Decoding less than this share of the header's duration means the file is short of what it claims. */
const SHORT_DECODE = 0.9;

export interface ReviewProgress {
  /** Video time reached, seconds. */
  videoSeconds: number;
  /** The video's length as its container states it (0 when unknown). */
  durationSeconds: number;
  frames: number;
  alerts: number;
  elapsedSeconds: number;
}

export interface ReviewOptions {
  /** The camera model to score with; or `modelDir`, a model version folder (with manifest.json). */
  model?: CameraModel;
  modelDir?: string;
  /** Analysed frames per second (the camera's; default 5). */
  fps?: number;
  /** The camera's alert policy; default the config's defaults. */
  policy?: AlertPolicy;
  /** The camera's cascade settings, as the worker gets them. */
  cascade?: Partial<CascadeSettings>;
  /** Called after every analysed frame. */
  onProgress?: (progress: ReviewProgress) => void;
}

/** A scored frame kept while it may still turn out to be an alert's peak. */
interface FrameRecord {
  at: number;
  score: number;
  regions: Region[];
  members: Record<string, number>;
  data: Uint8Array;
}

interface Episode {
  id: string;
  startMs: number;
  confirmedMs: number;
  endMs?: number;
  peak: FrameRecord;
  /** The lifecycle's view of the alert at its close (regions as last shown), for a peak without regions. */
  lastRegions: Region[];
}

export async function reviewVideo(file: string, options: ReviewOptions): Promise<ReviewResult> {
  const started = performance.now();
  const fps = options.fps ?? DEFAULT_REVIEW_FPS;
  if (!(Number.isFinite(fps) && fps > 0 && fps <= 60)) throw new UsageError(`review fps must be a number in (0, 60], got ${fps}`);
  if (!isNetworkUrl(file)) {
    if (!existsSync(file)) throw new StreamError(`video file not found: ${file}`);
    if (!statSync(file).isFile()) throw new StreamError(`not a video file: ${file}`);
  }
  const model = options.model ?? (options.modelDir ? await loadCameraModel(options.modelDir) : undefined);
  if (!model) throw new UsageError('reviewVideo needs a model or a modelDir');
  const info = await probeVideo(file);
  const backend = await initBackend();

  const { cameraId, version: modelVersion } = model.manifest;
  const { width, height } = model.manifest.frame;
  const policy = options.policy ?? alertPolicySchema.parse({});
  const horizonMs = Math.max(policy.confirmSeconds, policy.quietSeconds) * 1000;
  const lifecycle = new AlertLifecycle(policy, () => newAlertId(cameraId));
  // Kept over every frame as ingest keeps it for a live camera, so the background member sees the same input.
  const background = new BackgroundPair(width, height, { fps });
  // Members' features of the last frames (motion pooled over time), as workers keep them in Redis.
  const memory = new SequenceMemory(64);
  const evidence = new MemoryEvidence();

  const timeline: TimelinePoint[] = [];
  const episodes = new Map<string, Episode>();
  /** Frames within the lifecycle's horizon: an alert confirmed now may have peaked a few frames ago. */
  let recent: FrameRecord[] = [];
  let prev: Uint8Array | undefined;
  let frames = 0;
  let lastMs = 0;

  const onEvents = (events: LifecycleEvent[]) => {
    for (const { event, alert } of events) {
      if (event === 'open') {
        const startMs = Date.parse(alert.startedAt);
        const candidates = recent.filter((r) => r.at >= startMs && r.score >= 1);
        const peak = candidates.reduce((a, b) => (b.score > a.score ? b : a), candidates[0] ?? recent[recent.length - 1]!);
        episodes.set(alert.id, { id: alert.id, startMs, confirmedMs: Date.parse(alert.updatedAt), peak, lastRegions: alert.regions });
      } else {
        const ep = episodes.get(alert.id);
        if (!ep) continue;
        ep.lastRegions = alert.regions;
        if (event === 'close') ep.endMs = Date.parse(alert.endedAt!);
      }
    }
  };

  const cascade = new SequentialCascade(model, { backend, fps, ...(options.cascade ? { settings: options.cascade } : {}) });
  for await (const f of decodeFrames(file, { fps, width })) {
    if (f.height !== height) {
      throw new ModelError(`${file} decodes to ${f.width}x${f.height} at width ${width}, but model ${modelVersion} of camera ${cameraId} expects ${width}x${height} frames (another aspect ratio)`);
    }
    const at = Math.round(f.timeSeconds * 1000);
    const bg = background.next(f.data);
    const input = { data: f.data, width, height, seq: f.index, memory, ...(prev ? { prev } : {}), ...(bg ? { background: bg } : {}) };
    // The worker's frame path: its cascade, with the frame index as sequence number (it picks the steady
    // sample) and its escalation; the evidence in memory; regions on the accumulated map.
    const { instant, accumulated, score } = await scoreFrame(model, input, { cameraId, seq: f.index, capturedAt: at, frame: { width, height } }, (frame) => cascade.score(frame, f.index), evidence);
    const scored = { ...accumulated, gated: instant.gated };
    const record: FrameRecord = { at, score: score.score, regions: score.regions, members: score.members, data: f.data };
    recent = recent.filter((r) => r.at > at - horizonMs);
    if (!scored.gated && scored.warm) recent.push(record);
    timeline.push({ t: f.timeSeconds, score: score.score });

    onEvents(lifecycle.push(score));
    const open = lifecycle.current.open;
    const ep = open ? episodes.get(open.id) : undefined;
    if (ep && !scored.gated && scored.warm && record.score > ep.peak.score) ep.peak = record;

    prev = f.data;
    frames++;
    lastMs = at;
    options.onProgress?.({
      videoSeconds: f.timeSeconds + 1 / fps,
      durationSeconds: info.durationSeconds,
      frames,
      alerts: episodes.size,
      elapsedSeconds: (performance.now() - started) / 1000,
    });
  }
  if (frames === 0) throw new StreamError(`${file}: no video frames decoded`);
  // The video ended: an alert still open ends at its last frame over threshold, as a quiet camera's would.
  onEvents(lifecycle.tick(lastMs + horizonMs + 1));

  const ordered = [...episodes.values()].sort((a, b) => a.startMs - b.startMs);
  const thumbnails: Uint8Array[] = [];
  const alerts: ReviewAlert[] = ordered.map((ep, i) => {
    const n = i + 1;
    const regions = ep.peak.regions.length > 0 ? ep.peak.regions : ep.lastRegions;
    thumbnails.push(encodeJpeg(drawBoxes(ep.peak.data, width, height, regions), width, height, 85));
    return {
      n,
      id: ep.id,
      start: ep.startMs / 1000,
      end: (ep.endMs ?? lastMs) / 1000,
      confirmedAt: ep.confirmedMs / 1000,
      peakScore: ep.peak.score,
      peakAt: ep.peak.at / 1000,
      regions,
      members: ep.peak.members,
      thumbnail: `thumbs/${n}.jpg`,
    };
  });

  // A file cut short (a copy interrupted, a recorder that died) still decodes its first part: say so.
  const decodedSeconds = frames / fps;
  const warnings =
    info.durationSeconds > 0 && decodedSeconds < info.durationSeconds * SHORT_DECODE && info.durationSeconds - decodedSeconds > 1
      ? [
          `decoded ${decodedSeconds.toFixed(1)} s of the ${info.durationSeconds.toFixed(1)} s its header announces: the file is truncated or damaged; this report covers the first ${decodedSeconds.toFixed(1)} s`,
        ]
      : [];
  const report: ReviewReport = {
    file,
    cameraId,
    modelVersion,
    backend,
    fps,
    frame: { width, height },
    threshold: 1,
    alerts,
    timeline,
    durationSeconds: frames / fps,
    processingSeconds: (performance.now() - started) / 1000,
    framesAnalysed: frames,
    createdAt: new Date().toISOString(),
    ...(warnings.length ? { warnings } : {}),
  };
  return { report, thumbnails };
}
