/**
 * An alert's images on disk, written at `open` and whenever a frame becomes the alert's new peak:
 * the analysed frame with regions drawn, the heatmap over it, and the raw frame (for false-alarm
 * feedback). Written after the lifecycle step is committed (AlertTracker.decide lists the alerts a frame
 * shows), keyed by alert id, so no decision waits for them; the gateway waits a moment for a new alert's
 * images. Each file lands by rename, so readers never see half.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ALERT_FILES, alertFilesDir, type FrameScore, type FrameSize, type ScoreMap } from '@vigil/core';
import type { LifecycleEvent, LifecycleState } from '@vigil/alerts';
import { drawBoxes, encodeJpeg, renderHeatmap } from '@vigil/video';

const JPEG_QUALITY = 85;

/** What frame.json says about frame.rgb. */
export interface AlertFrameInfo {
  alertId: string;
  cameraId: string;
  seq: number;
  /** Capture time, ISO-8601. */
  capturedAt: string;
  width: number;
  height: number;
  format: 'rgb24';
  score: number;
  regions: FrameScore['regions'];
  members: Record<string, number>;
  modelVersion: string;
}

export interface ScoredFrame {
  score: FrameScore;
  /** Packed rgb24 of the analysed frame. */
  data: Uint8Array;
  map: ScoreMap;
  covered: FrameSize;
}

/**
 * Alerts whose images this frame should be: those it opens, and the open alert when this frame is
 * its newest peak (the reducer carried this frame's regions and the peak equals this frame's score).
 */
export function alertsShowingFrame(events: LifecycleEvent[], next: LifecycleState, score: FrameScore): string[] {
  const ids = new Set(events.filter((e) => e.event === 'open').map((e) => e.alert.id));
  const open = next.open;
  if (open && open.shownAt === score.capturedAt && open.peak === score.score) ids.add(open.id);
  return [...ids];
}

export async function writeAlertFiles(dataDir: string, alertId: string, f: ScoredFrame): Promise<void> {
  const { width, height } = f.score.frame;
  const dir = alertFilesDir(dataDir, alertId);
  await mkdir(dir, { recursive: true });
  const regions = f.score.regions;
  const snapshot = encodeJpeg(drawBoxes(f.data, width, height, regions), width, height, JPEG_QUALITY);
  const heat = renderHeatmap(f.map, width, height, f.covered, { frame: f.data });
  const heatmap = encodeJpeg(drawBoxes(heat, width, height, regions, [255, 255, 255]), width, height, JPEG_QUALITY);
  const info: AlertFrameInfo = {
    alertId,
    cameraId: f.score.cameraId,
    seq: f.score.seq,
    capturedAt: new Date(f.score.capturedAt).toISOString(),
    width,
    height,
    format: 'rgb24',
    score: f.score.score,
    regions,
    members: f.score.members,
    modelVersion: f.score.modelVersion,
  };
  // The raw frame and its description first, the images last: a snapshot present means the set is.
  await replaceFile(dir, ALERT_FILES.frame, f.data);
  await replaceFile(dir, ALERT_FILES.frameInfo, JSON.stringify(info, null, 2) + '\n');
  await replaceFile(dir, ALERT_FILES.heatmap, heatmap);
  await replaceFile(dir, ALERT_FILES.snapshot, snapshot);
}

async function replaceFile(dir: string, name: string, content: Uint8Array | string): Promise<void> {
  const tmp = join(dir, `.${name}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, content);
    await rename(tmp, join(dir, name));
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
