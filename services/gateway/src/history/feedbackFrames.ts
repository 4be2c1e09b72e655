/** Moves an alert's analysed frame into its camera's extra normal data when an operator calls it a false alarm. */
import { copyFile, mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ALERT_FILES, alertFilesDir, feedbackNormalDir } from '@vigil/core';

/** `<feedbackNormalDir>/<alertId>.rgb` and `.json` (width, height), as training reads them. */
export function feedbackFramePaths(dataDir: string, cameraId: string, alertId: string): { rgb: string; json: string } {
  const dir = feedbackNormalDir(dataDir, cameraId);
  return { rgb: join(dir, `${alertId}.rgb`), json: join(dir, `${alertId}.json`) };
}

/** Copies frame.rgb and frame.json; false when the alert has no frame on disk (never written, or expired). */
export async function addFalseAlarmFrame(dataDir: string, cameraId: string, alertId: string): Promise<boolean> {
  const src = alertFilesDir(dataDir, alertId);
  const dst = feedbackFramePaths(dataDir, cameraId, alertId);
  await mkdir(feedbackNormalDir(dataDir, cameraId), { recursive: true });
  try {
    // Each file appears whole (copy, then rename), pixels before their size, so training never reads half a frame.
    for (const [from, to] of [
      [ALERT_FILES.frame, dst.rgb],
      [ALERT_FILES.frameInfo, dst.json],
    ] as const) {
      const tmp = `${to}.tmp-${process.pid}`;
      await copyFile(join(src, from), tmp);
      await rename(tmp, to);
    }
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    await removeFalseAlarmFrame(dataDir, cameraId, alertId);
    return false;
  }
}

/** Undoes `addFalseAlarmFrame` when the verdict is changed to `confirmed`. */
export async function removeFalseAlarmFrame(dataDir: string, cameraId: string, alertId: string): Promise<void> {
  const dst = feedbackFramePaths(dataDir, cameraId, alertId);
  await rm(dst.json, { force: true });
  await rm(dst.rgb, { force: true });
  for (const tmp of [`${dst.rgb}.tmp-${process.pid}`, `${dst.json}.tmp-${process.pid}`]) await rm(tmp, { force: true });
}
