/**
 * Fitting a camera model off the event loop. A fit takes seconds to minutes of CPU; run in the process
 * that reads the cameras (ingest learns a new camera's normal scene), it would stall every camera's
 * frames for that long and leave them behind real time. So the fit runs in a worker thread, which saves
 * the model under `modelsDir/<version>/` and answers with the version; the caller's loop stays free.
 */
import { Worker } from 'node:worker_threads';
import { ModelError } from '@vigil/core';
import type { FitCameraModelOptions } from './cameraModel.js';
import type { FrameInput } from './frameInput.js';

/** What crosses to the thread: plain data only (no progress callback, no clock). */
export type ThreadFitOptions = Omit<FitCameraModelOptions, 'onProgress' | 'now'>;

export interface ThreadFitRequest {
  /** URL of fitThreadWorker (.ts from the sources), imported by fitThreadBoot.mjs. */
  entry: string;
  frames: FrameInput[];
  options: ThreadFitOptions;
  modelsDir: string;
}

export type ThreadFitReply = { ok: true; version: string; fitMs: number } | { ok: false; error: string };

export function fitCameraModelInThread(frames: FrameInput[], options: ThreadFitOptions, modelsDir: string): Promise<{ version: string; fitMs: number }> {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(`./fitThreadWorker.${fromSource ? 'ts' : 'js'}`, import.meta.url).href;
  // A memory does not cross to the thread (it rebuilds one from the sequence numbers).
  const request: ThreadFitRequest = { entry, frames: frames.map(({ memory: _memory, ...f }) => f), options, modelsDir };
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./fitThreadBoot.mjs', import.meta.url), { workerData: request });
    let settled = false;
    worker.once('message', (reply: ThreadFitReply) => {
      settled = true;
      if (reply.ok) resolve({ version: reply.version, fitMs: reply.fitMs });
      else reject(new ModelError(`fitting camera ${options.cameraId} failed: ${reply.error}`));
      void worker.terminate();
    });
    worker.once('error', (err) => {
      if (settled) return;
      settled = true;
      reject(new ModelError(`fitting camera ${options.cameraId} failed in its thread: ${err.message}`));
    });
    worker.once('exit', (code) => {
      if (settled) return;
      settled = true;
      reject(new ModelError(`fitting camera ${options.cameraId}: its thread exited (code ${code}) without a model`));
    });
  });
}
