/**
 * Picks the compute backend for the tfjs members once per process: CUDA (tfjs-node-gpu), then native
 * TensorFlow (tfjs-node), then WebAssembly, then plain JS — the first that loads. The GPU and native
 * packages are optional: their installers download libtensorflow, so most machines lack them.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createLogger } from '@vigil/core';

export type BackendName = 'tfjs-node-gpu' | 'tfjs-node' | 'wasm' | 'cpu';
export const BACKEND_ORDER: readonly BackendName[] = ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'];

const log = createLogger('anomaly:backend');
const require = createRequire(import.meta.url);
let chosen: Promise<BackendName> | undefined;

async function tryBackend(name: BackendName): Promise<boolean> {
  try {
    if (name === 'tfjs-node-gpu' || name === 'tfjs-node') {
      // Registers the 'tensorflow' backend on the shared tfjs-core when the native library is present.
      await import(/* @vite-ignore */ `@tensorflow/${name}`);
      return await tf.setBackend('tensorflow');
    }
    if (name === 'wasm') {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      wasm.setWasmPaths(`${join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '/')}`);
      // One thread: the worker pool already runs one process per core.
      return await tf.setBackend('wasm');
    }
    return await tf.setBackend('cpu');
  } catch (err) {
    log.debug('backend unavailable', { backend: name, err: err instanceof Error ? err.message : String(err) });
    return false;
  }
}

/**
 * Chooses and activates the best backend that loads (or the first of `prefer` that loads). Called once;
 * later calls return the same choice. `VIGIL_BACKEND` in the environment forces one.
 */
export function initBackend(prefer: readonly BackendName[] = BACKEND_ORDER): Promise<BackendName> {
  chosen ??= (async () => {
    const forced = process.env.VIGIL_BACKEND as BackendName | undefined;
    const order = forced && BACKEND_ORDER.includes(forced) ? [forced, ...prefer.filter((b) => b !== forced)] : prefer;
    for (const name of order) {
      if (await tryBackend(name)) {
        await tf.ready();
        log.info('compute backend', { backend: name });
        return name;
      }
    }
    throw new Error('no tfjs backend could be loaded');
  })();
  return chosen;
}

/** Runs `train` on the pure-JS cpu backend (the only one here with every training kernel), then restores the active one. */
export async function withTrainingBackend<T>(train: () => Promise<T>): Promise<T> {
  const active = tf.getBackend();
  if (active === 'tensorflow' || active === 'cpu') return train();
  await tf.setBackend('cpu');
  try {
    return await train();
  } finally {
    await tf.setBackend(active);
  }
}

export { tf };
