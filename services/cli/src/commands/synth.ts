/** `vigil synth`: a UCSD-layout dataset from real footage with injected anomalies, frame labels and pixel masks. */
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { writeSyntheticDataset, type SyntheticDatasetSummary } from '@vigil/anomaly';
import { terminalProgress } from '../progress.js';

export const DEFAULT_SYNTH_SOURCES = ['street.mp4', 'parking-overhead.mp4'].map((f) => fileURLToPath(new URL(`../../../../footage/${f}`, import.meta.url)));

export interface SynthCommandOptions {
  out: string;
  source?: string[];
  width?: number;
  fps?: number;
  drawn?: boolean;
}

export async function runSynth(opts: SynthCommandOptions): Promise<SyntheticDatasetSummary> {
  const sources = opts.source?.length ? opts.source.map((s) => resolve(s)) : DEFAULT_SYNTH_SOURCES;
  const progress = terminalProgress();
  let summary: SyntheticDatasetSummary;
  try {
    summary = await writeSyntheticDataset({
      out: resolve(opts.out),
      sources,
      ...(opts.width !== undefined ? { width: opts.width } : {}),
      ...(opts.fps !== undefined ? { fps: opts.fps } : {}),
      objects: opts.drawn ? 'drawn' : 'real',
      onProgress: (done, total) => progress.update('sources', done, total),
    });
  } finally {
    progress.stop();
  }
  const count = (clips: SyntheticDatasetSummary['train']) => clips.reduce((n, c) => n + c.frames, 0);
  const anomalous = summary.test.reduce((n, c) => n + (c.anomalousFrames ?? 0), 0);
  const kinds = [...new Set(summary.test.flatMap((c) => (c.anomalies ?? []).map((a) => a.kind)))];
  process.stdout.write(
    `vigil synth: wrote ${summary.out} — Train ${summary.train.length} clips (${count(summary.train)} frames), ` +
      `Test ${summary.test.length} clips (${count(summary.test)} frames, ${anomalous} anomalous, ${summary.objects === 'real' ? 'real vehicles' : 'drawn'}: ${kinds.join(', ')}), ` +
      `${summary.frame.width}x${summary.frame.height} at ${summary.fps} fps\n`,
  );
  return summary;
}
