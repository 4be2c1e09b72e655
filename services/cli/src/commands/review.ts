/** `vigil review FILE --model DIR --out DIR`: the live pipeline over a recorded file, written as report.json and report.html. */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
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
  if (!existsSync(join(opts.model, 'manifest.json'))) {
    throw new UsageError(`${opts.model} is not a model version directory (no manifest.json); pass the folder that vigil train wrote, e.g. data/models/<camera>/<version>`);
  }
  if (existsSync(opts.out) && !statSync(opts.out).isDirectory()) throw new UsageError(`--out ${opts.out} exists and is not a directory`);

  // Loaded only once the arguments are known good: the detectors take seconds to import.
  const { formatVideoTime, reviewVideo, writeReport } = await import('@vigil/review');
  const progress = process.stderr.isTTY ? ttyProgress(formatVideoTime) : undefined;
  const result = await reviewVideo(resolve(file), { modelDir: opts.model, ...(opts.fps !== undefined ? { fps: opts.fps } : {}), ...(progress ? { onProgress: progress.update } : {}) });
  progress?.done();
  const { html } = await writeReport(result, opts.out);

  const r = result.report;
  const speed = r.durationSeconds / Math.max(r.processingSeconds, 1e-9);
  const lines = [
    `${r.alerts.length} alert${r.alerts.length === 1 ? '' : 's'} in ${formatVideoTime(r.durationSeconds)} of video, processed in ${r.processingSeconds.toFixed(1)} s (${speed.toFixed(1)}× real time)`,
    ...r.alerts.map((a) => `  ${a.n}. ${formatVideoTime(a.start)}–${formatVideoTime(a.end)}  peak ${a.peakScore.toFixed(2)}  ${a.regions.length} region${a.regions.length === 1 ? '' : 's'}`),
    `report: ${html}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
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
