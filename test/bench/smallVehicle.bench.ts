/**
 * What analysis resolution buys for small stopped vehicles, and what it costs. A real car of the same
 * camera (cut out where it drove into the far end of footage/street.mp4, seen from the same angle) is
 * pasted stopped for 12 s in the far lane, at
 * 10 × 8 px of a 320-px frame (a far vehicle); the camera's model is fitted on the normal first 20 s and
 * the 60-s video reviewed with the default model, once per analysis width. Prints per width: the car's
 * size there, when the alert opened after the stop, its region's overlap with the car, and the fit and
 * review times with their ratio to the first width's, all measured in this run.
 * Usage: npx tsx test/bench/smallVehicle.bench.ts [--widths 320,640] [--json out.json]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { findTracks, fitCameraModel, framesWithPrev, pasteCutout, withBackgrounds } from '@vigil/anomaly';
import { encodeVideo } from '@vigil/video';
import { reviewVideo } from '../../packages/review/src/reviewVideo.js';
import { decodeVideo } from '../support/decodeVideo.js';
import { REPO_ROOT } from '../support/vigilProcess.js';

const { values } = parseArgs({ options: { widths: { type: 'string', default: '320,640' }, json: { type: 'string' } } });
const widths = values.widths.split(',').map(Number);
if (widths.some((w) => !(Number.isInteger(w) && w >= 160 && w <= 1920))) throw new Error(`--widths: whole numbers in 160–1920, got ${values.widths}`);
const FPS = 5,
  NORMAL_SECONDS = 20,
  STOP_AT = 2 * NORMAL_SECONDS + 2,
  STOP_SECONDS = 12;
/** The car in the far lane, as a share of the frame: 10 × 8 px at 320 × 176. */
const CAR = { x: 104 / 320, y: 50 / 176, width: 10 / 320, height: 8 / 176 };
const OUT = join(REPO_ROOT, 'test-output', 'bench');
mkdirSync(OUT, { recursive: true });

const decode = (file: string, width: number, maxFrames?: number) => decodeVideo(file, FPS, width, maxFrames);

function iou(a: typeof CAR, b: typeof CAR): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w <= 0 || h <= 0 ? 0 : (w * h) / (a.width * a.height + b.width * b.height - w * h);
}

// A car as far away as one was followed (the smallest cut of any track, at 640 px for detail).
const source = await decode(join(REPO_ROOT, 'footage/street.mp4'), 640, NORMAL_SECONDS * FPS);
const steps = findTracks(source.frames, source.width, source.height)
  .flatMap((t) => t.steps)
  .filter((s) => s.box.width >= 20 && s.box.height >= 16);
if (steps.length === 0) throw new Error('no car followed in footage/street.mp4');
const car = steps.reduce((a, b) => (b.box.width * b.box.height < a.box.width * a.box.height ? b : a)).cutout;

const rows: Record<string, number | string | null>[] = [];
for (const width of widths) {
  const normal = await decode(join(REPO_ROOT, 'footage/street.mp4'), width, NORMAL_SECONDS * FPS);
  const box = { x: CAR.x * normal.width, y: CAR.y * normal.height, width: CAR.width * normal.width, height: CAR.height * normal.height };
  const video = join(OUT, `street-small-car-${width}.mp4`);
  async function* frames(): AsyncGenerator<Uint8Array> {
    for (let i = 0; i < normal.frames.length * 3; i++) {
      const data = new Uint8Array(normal.frames[i % normal.frames.length]!);
      if (i / FPS >= STOP_AT && i / FPS < STOP_AT + STOP_SECONDS) pasteCutout(data, normal.width, normal.height, car, box);
      yield data;
    }
  }
  await encodeVideo(frames(), { width: normal.width, height: normal.height, fps: FPS, out: video });
  const seen = await decode(video, width, NORMAL_SECONDS * FPS);
  let t0 = performance.now();
  const model = await fitCameraModel(withBackgrounds(framesWithPrev(seen.frames, seen.width, seen.height), { fps: FPS }), { cameraId: 'street', fps: FPS });
  const fitSeconds = (performance.now() - t0) / 1000;
  t0 = performance.now();
  const { report } = await reviewVideo(video, { model, fps: FPS });
  const reviewSeconds = (performance.now() - t0) / 1000;
  const during = report.alerts.filter((a) => a.end >= STOP_AT && a.start < STOP_AT + STOP_SECONDS);
  const first = during[0];
  rows.push({
    width,
    carPx: `${box.width.toFixed(0)}x${box.height.toFixed(0)}`,
    alerts: report.alerts.length,
    openedAfterStop: first ? Math.round(((first.confirmedAt ?? first.start) - STOP_AT) * 10) / 10 : null,
    alertSeconds: first ? Math.round((first.end - first.start) * 10) / 10 : null,
    regionIoU: first ? Math.round(Math.max(0, ...first.regions.map((r) => iou(r, CAR))) * 100) / 100 : null,
    fitSeconds: Math.round(fitSeconds * 10) / 10,
    reviewSeconds: Math.round(reviewSeconds * 10) / 10,
    realTime: Math.round((report.durationSeconds / reviewSeconds) * 10) / 10,
  });
}
const base = rows[0]!;
for (const r of rows) {
  r.reviewCostRatio = Math.round(((r.reviewSeconds as number) / (base.reviewSeconds as number)) * 10) / 10;
  r.fitCostRatio = Math.round(((r.fitSeconds as number) / (base.fitSeconds as number)) * 10) / 10;
  process.stdout.write(
    `small-vehicle bench: width ${r.width}: car ${r.carPx} px, ${r.alerts} alert(s); ` +
      (r.openedAfterStop === null ? 'no alert during the stop; ' : `opened ${r.openedAfterStop} s after the stop, lasted ${r.alertSeconds} s, region IoU ${r.regionIoU}; `) +
      `fit ${r.fitSeconds} s (${r.fitCostRatio}×), review ${r.reviewSeconds} s (${r.reviewCostRatio}×, ${r.realTime}× real time)\n`,
  );
}
if (values.json) writeFileSync(values.json, JSON.stringify(rows, null, 2) + '\n');
