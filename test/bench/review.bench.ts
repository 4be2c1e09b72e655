/**
 * Speed of `vigil review` (retrospective analysis of a recording) with the default ensemble: the
 * 75 s street clip with two stopped vehicles (as the review test renders it), a model fitted on its
 * first 20 s, then `vigil review` run as an operator would. Reports the processing time against the
 * video's duration (target: at least 3× real time) and against decoding the same frames with ffmpeg,
 * measured in the same run. Exits 1 when the real-time target is missed.
 * Usage: npx tsx test/bench/review.bench.ts [--json out.json]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fitCameraModel, framesWithPrev, renderInjectedVideo, saveCameraModel, type AnomalySpec } from '@vigil/anomaly';
import { decodeFrames } from '@vigil/video';
import { REPO_ROOT, runVigil } from '../support/vigilProcess.js';

const { values } = parseArgs({ options: { json: { type: 'string' } } });
const TARGET = 3;
const VIDEO = join(REPO_ROOT, 'test-output', 'review', 'street-two-stopped.mp4');
const stopped = (startSeconds: number, x: number, y: number, vx: number, vy: number): AnomalySpec => ({
  kind: 'stopped-vehicle',
  startSeconds,
  durationSeconds: 8,
  enterSeconds: 0.2,
  size: { width: 0.16, height: 0.18 },
  position: { x, y },
  velocity: { x: vx, y: vy },
});
await renderInjectedVideo({ src: join(REPO_ROOT, 'footage/street.mp4'), out: VIDEO, anomalies: [stopped(45, 0.3, 0.7, 0.08, -0.05), stopped(62, 0.55, 0.62, -0.08, -0.1)], repeat: 2 });

// Baseline: decoding the frames the review analyses (5 fps, 320 px), nothing else.
let t0 = performance.now();
const frames: Uint8Array[] = [];
let width = 0,
  height = 0;
for await (const f of decodeFrames(VIDEO, { fps: 5, width: 320 })) {
  if (frames.length < 100) frames.push(f.data);
  width = f.width;
  height = f.height;
}
const decodeSeconds = (performance.now() - t0) / 1000;

const work = mkdtempSync(join(tmpdir(), 'vigil-review-bench-'));
const model = await fitCameraModel(framesWithPrev(frames, width, height), { cameraId: 'street' });
const modelDir = join(work, 'models', 'street', model.manifest.version);
await saveCameraModel(model, modelDir);
t0 = performance.now();
const r = runVigil(['review', VIDEO, '--model', modelDir, '--out', join(work, 'report')], 600_000);
const wallSeconds = (performance.now() - t0) / 1000;
if (r.status !== 0) {
  process.stderr.write(`review bench: vigil review exited ${r.status}\n${r.stderr}`);
  process.exit(1);
}
const report = JSON.parse(readFileSync(join(work, 'report', 'report.json'), 'utf8')) as { durationSeconds: number; processingSeconds: number; backend: string; framesAnalysed: number };
rmSync(work, { recursive: true, force: true });
const realTime = report.durationSeconds / report.processingSeconds;
const result = {
  members: model.manifest.members.map((m) => m.name),
  backend: report.backend,
  videoSeconds: report.durationSeconds,
  frames: report.framesAnalysed,
  processingSeconds: report.processingSeconds,
  wallSeconds: Math.round(wallSeconds * 10) / 10,
  decodeSeconds: Math.round(decodeSeconds * 100) / 100,
  realTimeRatio: Math.round(realTime * 100) / 100,
  processingToDecode: Math.round((report.processingSeconds / decodeSeconds) * 100) / 100,
  target: TARGET,
  met: realTime >= TARGET,
};
process.stdout.write(
  `review bench: ${result.videoSeconds.toFixed(1)} s of video (${result.frames} frames) reviewed in ${result.processingSeconds.toFixed(2)} s ` +
    `(${result.realTimeRatio}× real time, target ≥ ${TARGET}×: ${result.met ? 'met' : 'MISSED'}); decoding alone ${result.decodeSeconds} s, ` +
    `review = ${result.processingToDecode}× decode; members ${result.members.join(', ')}; ${result.backend}\n`,
);
if (values.json) writeFileSync(values.json, JSON.stringify(result, null, 2) + '\n');
if (!result.met) process.exitCode = 1;
