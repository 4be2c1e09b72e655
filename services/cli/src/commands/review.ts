/** `vigil review FILE --model DIR --out DIR`: the live pipeline over a recorded file, written as report.json and report.html. */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { newestVersionIn } from '@vigil/anomaly/modelStore';
import { UsageError } from '@vigil/core';
import type { ReviewProgress } from '@vigil/review';

export interface ReviewCommandOptions {
  model: string;
  out: string;
  fps?: number;
}

export async function runReview(file: string, opts: ReviewCommandOptions): Promise<void> {
  if (!existsSync(file)) throw new UsageError(`video file not found: ${file}`);
  if (!statSync(file).isFile()) throw new UsageError(`not a video file: ${file}`);
  if (!existsSync(opts.model) || !statSync(opts.model).isDirectory()) throw new UsageError(`model directory not found: ${opts.model}`);
  const modelDir = modelVersionDir(opts.model);
  if (existsSync(opts.out) && !statSync(opts.out).isDirectory()) throw new UsageError(`--out ${opts.out} exists and is not a directory`);

  // Loaded only once the arguments are known good: the detectors take seconds to import.
  const { formatVideoTime, reviewVideo, writeReport } = await import('@vigil/review');
  const progress = process.stderr.isTTY ? ttyProgress(formatVideoTime) : undefined;
  const result = await reviewVideo(resolve(file), { modelDir, ...(opts.fps !== undefined ? { fps: opts.fps } : {}), ...(progress ? { onProgress: progress.update } : {}) });
  progress?.done();
  const { html } = await writeReport(result, opts.out);

  const r = result.report;
  const speed = r.durationSeconds / Math.max(r.processingSeconds, 1e-9);
  const lines = [
    `${r.alerts.length} alert${r.alerts.length === 1 ? '' : 's'} in ${formatVideoTime(r.durationSeconds)} of video, processed in ${r.processingSeconds.toFixed(1)} s (${speed.toFixed(1)}× real time)`,
    ...r.alerts.map((a) => `  ${a.n}. ${formatVideoTime(a.start)}–${formatVideoTime(a.end)}  peak ${a.peakScore.toFixed(2)}  ${a.regions.length} region${a.regions.length === 1 ? '' : 's'}`),
    ...(r.warnings ?? []).map((w) => `warning: ${w}`),
    `model: ${modelDir}`,
    `report: ${html}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

/**
 * A model version folder as given, or the newest version in a camera's models folder (what
 * `vigil train --out DIR` fills: DIR/<version>/manifest.json).
 */
function modelVersionDir(dir: string): string {
  if (existsSync(join(dir, 'manifest.json'))) return dir;
  const newest = newestVersionIn(dir);
  if (newest) return join(dir, newest);
  throw new UsageError(`${dir} holds no model (no manifest.json in it or in a version folder inside it); pass the folder vigil train --out wrote, or one of its versions`);
}

/** One line on stderr rewritten in place, at most every 100 ms. */
function ttyProgress(formatVideoTime: (seconds: number) => string): { update: (p: ReviewProgress) => void; done: () => void } {
  let last = 0;
  const write = (p: ReviewProgress) => {
    const of = p.durationSeconds > 0 ? ` / ${formatVideoTime(p.durationSeconds)} (${Math.min(100, (100 * p.videoSeconds) / p.durationSeconds).toFixed(0)}%)` : '';
    const speed = p.elapsedSeconds > 0 ? `, ${(p.videoSeconds / p.elapsedSeconds).toFixed(1)}× real time` : '';
    process.stderr.write(`\r\x1b[Kreviewing ${formatVideoTime(p.videoSeconds)}${of}, ${p.alerts} alert${p.alerts === 1 ? '' : 's'}${speed}`);
  };
  return {
    update(p) {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      write(p);
    },
    done() {
      process.stderr.write('\r\x1b[K');
    },
  };
}
