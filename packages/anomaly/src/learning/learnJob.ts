/** A `learn` job (on the learn queue, keys.learnQueue): fit a camera's first model from the learning frames ingest wrote. */
import type { ThreadFitOptions } from '../fitThread.js';

export interface LearnJob {
  cameraId: string;
  /** The camera's fitting options as ingest read them from its config (plain data). */
  options: ThreadFitOptions;
  /** When ingest queued it (ms since the epoch): a run is told from an earlier one by it. */
  queuedAt: number;
}
