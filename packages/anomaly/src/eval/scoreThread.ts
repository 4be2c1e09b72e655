/**
 * Scoring a share of the test clips in a worker thread, so `vigil eval` uses every core: the thread loads
 * the fitted model from the folder the eval saved it to, scores its clips with scoreClips and answers
 * with the scores and pixel histograms (progress as it goes).
 */
import { Worker } from 'node:worker_threads';
import type { FrameSize } from '@vigil/core';
import { DatasetError } from './datasetError.js';
import type { ScoredShare } from './scoreClips.js';
import type { DatasetTestClip } from './ucsdDataset.js';

export interface ScoreThreadRequest {
  /** URL of scoreThreadWorker (.ts from the sources), imported by fitThreadBoot.mjs. */
  entry: string;
  modelDir: string;
  clips: DatasetTestClip[];
  size: FrameSize;
  fps: number;
  memberPixels: boolean;
}

export type ScoreThreadMessage = { kind: 'frame' } | { kind: 'done'; share: ScoredShare } | { kind: 'error'; error: string };

export function scoreClipsInThread(request: Omit<ScoreThreadRequest, 'entry'>, onFrame: () => void): Promise<ScoredShare> {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(`./scoreThreadWorker.${fromSource ? 'ts' : 'js'}`, import.meta.url).href;
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('../fitThreadBoot.mjs', import.meta.url), { workerData: { ...request, entry } satisfies ScoreThreadRequest });
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      fn();
      void worker.terminate();
    };
    worker.on('message', (m: ScoreThreadMessage) => {
      if (m.kind === 'frame') onFrame();
      else if (m.kind === 'done') settle(() => resolve(m.share));
      else settle(() => reject(new DatasetError(`scoring thread failed: ${m.error}`)));
    });
    worker.once('error', (err) => settle(() => reject(new DatasetError(`scoring thread failed: ${err.message}`))));
    worker.once('exit', (code) => settle(() => reject(new DatasetError(`scoring thread exited (code ${code}) before it answered`))));
  });
}
