/** The thread of fitThread.ts: learn (fit and publish a version), answer with the version. */
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend } from './backend/tfBackend.js';
import type { ThreadFitReply, ThreadFitRequest } from './fitThread.js';
import { withSequenceMemory } from './frameInput.js';
import { learnCameraModel } from './learning/learn.js';

const { frames, options, modelsDir } = workerData as ThreadFitRequest;
// On Linux a niceness applies to the calling thread only: the fit yields the CPU to the camera's
// decoding and scoring, which must keep up with real time, and uses what is left.
try {
  setPriority(0, 15);
} catch {
  // Not permitted or not supported: fit at normal priority.
}
let reply: ThreadFitReply;
try {
  const t0 = performance.now();
  await initBackend();
  const { version } = await learnCameraModel(withSequenceMemory(frames), options, modelsDir);
  reply = { ok: true, version, fitMs: Math.round(performance.now() - t0) };
} catch (err) {
  reply = { ok: false, error: err instanceof Error ? err.message : String(err) };
}
parentPort!.postMessage(reply);
