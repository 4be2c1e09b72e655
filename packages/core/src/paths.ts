/** Where services keep files under the data directory, in one place so writers and readers agree. */
import { join } from 'node:path';

/** An alert's images: `snapshot.jpg` (analysed frame, regions drawn), `heatmap.jpg`, and the raw analysed frame for feedback. */
export function alertFilesDir(dataDir: string, alertId: string): string {
  return join(dataDir, 'snapshots', alertId);
}

/** The gateway's URL of an alert's image (path only: clients resolve it against the gateway they reach). */
export function alertImageUrl(alertId: string, image: 'snapshot' | 'heatmap'): string {
  return `/v1/alerts/${encodeURIComponent(alertId)}/${image === 'snapshot' ? ALERT_FILES.snapshot : ALERT_FILES.heatmap}`;
}

export const ALERT_FILES = {
  snapshot: 'snapshot.jpg',
  heatmap: 'heatmap.jpg',
  /** Packed RGB24 of the analysed frame at the alert's peak; its size is in frame.json. */
  frame: 'frame.rgb',
  frameInfo: 'frame.json',
} as const;

/** Extra normal frames of a camera (false alarms marked by operators), folded in at its next training. */
export function feedbackNormalDir(dataDir: string, cameraId: string): string {
  return join(dataDir, 'normal', cameraId);
}

/** Results of retrospective reviews: `<dataDir>/reviews/<reviewId>/report.{json,html}`. */
export function reviewDir(dataDir: string, reviewId: string): string {
  return join(dataDir, 'reviews', reviewId);
}

/**
 * A camera's learning frames, written by ingest and read by the worker that fits its first model:
 * one run at a time per camera (a new run replaces the folder), removed once the model is saved.
 */
export function learningDir(dataDir: string, cameraId: string): string {
  return join(dataDir, 'learning', cameraId);
}
