/** Minibatch training of a layers.ts network with Adam, per-sample loss given by the caller, early stop on a plateau. */
import { Adam } from './adam.js';
import { paramShapes, type LayerSpec } from './layers.js';

export interface TrainParams {
  /** Frames kept for training at most (evenly spaced): training time is bounded whatever the footage length. */
  maxFrames: number;
  /** Sample passes (forward + backward) budgeted in all; epochs = ⌈budget / frames⌉, capped by maxEpochs. */
  samplePasses: number;
  maxEpochs: number;
  batchSize: number;
  learningRate: number;
  /** Epochs without a relative loss improvement of 1% before stopping early. */
  patience: number;
}

export interface TrainReport {
  epochs: number;
  samplePasses: number;
  firstLoss: number;
  finalLoss: number;
  ms: number;
}

/** Indices of at most `max` of `n` items, evenly spaced. */
export function evenlySpaced(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: max }, (_, i) => Math.floor(((i + 0.5) * n) / max));
}

/**
 * Trains `params` in place. `sampleStep(i, grads)` runs sample i forward and backward, accumulating
 * into `grads`, and returns its loss. Yields to the event loop once per batch so a long fit does not
 * starve the process's other work.
 */
export async function trainNet(
  layers: readonly LayerSpec[],
  params: Float32Array[],
  sampleCount: number,
  sampleStep: (index: number, grads: Float32Array[], epoch: number) => number,
  options: TrainParams & { weightDecay?: number; decayed?: boolean[]; random: () => number },
): Promise<TrainReport> {
  const t0 = performance.now();
  const grads = paramShapes(layers).map((s) => new Float32Array(s.reduce((a, b) => a * b, 1)));
  const adam = new Adam(params, options.learningRate, options.weightDecay ?? 0, options.decayed ?? params.map(() => true));
  const epochs = Math.max(1, Math.min(options.maxEpochs, Math.ceil(options.samplePasses / sampleCount)));
  const order = Array.from({ length: sampleCount }, (_, i) => i);
  let best = Infinity,
    stale = 0,
    first = NaN,
    last = NaN,
    passes = 0,
    done = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(options.random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    // Cosine decay of the step size over the planned epochs: settles the weights without a tuned schedule.
    const lr = options.learningRate * (0.1 + 0.9 * 0.5 * (1 + Math.cos((Math.PI * epoch) / epochs)));
    let sum = 0;
    for (let b = 0; b < order.length; b += options.batchSize) {
      const batch = order.slice(b, b + options.batchSize);
      for (const i of batch) sum += sampleStep(i, grads, epoch);
      adam.step(grads, batch.length, lr);
      passes += batch.length;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    last = sum / order.length;
    if (epoch === 0) first = last;
    done = epoch + 1;
    if (last < best * 0.99) {
      best = last;
      stale = 0;
    } else if (++stale >= options.patience) break;
  }
  return { epochs: done, samplePasses: passes, firstLoss: first, finalLoss: last, ms: performance.now() - t0 };
}
