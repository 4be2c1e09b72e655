/** The worker's backbone batcher: frames scored at once run through the backbone in one execute, with the same features. */
import { describe, expect, it } from 'vitest';
import { backboneStats, initBackend, loadBackbone, type CameraModel, type FrameInput } from '@vigil/anomaly';
import { BackboneBatcher } from '../src/backboneBatcher.js';

const W = 64,
  H = 48;
function frame(seed: number): FrameInput {
  const data = new Uint8Array(W * H * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31 + seed * 97 + ((i / 3) % W) * seed) % 256;
  return { data, width: W, height: H };
}

describe('BackboneBatcher', () => {
  it('runs concurrent frames of two cameras as one batch, and members then read the same features a lone run gives', async () => {
    await initBackend();
    const backbone = await loadBackbone({ inputWidth: W, inputHeight: H });
    // Two cameras' models that read the same backbone (same analysed size): only `backbones` matters here.
    const model = (camera: string) => ({ manifest: { cameraId: camera }, backbones: () => [backbone] }) as unknown as CameraModel;
    const batcher = new BackboneBatcher({ windowMs: 50, maxBatch: 2 });
    const a = frame(1),
      b = frame(2);
    const before = { ...backboneStats };
    await Promise.all([batcher.prefetch(model('cam1'), a, ['padim']), batcher.prefetch(model('cam2'), b, ['padim'])]);
    expect(backboneStats.executions - before.executions).toBe(1);
    expect(backboneStats.frames - before.frames).toBe(2);
    expect(batcher.stats).toEqual({ batches: 1, frames: 2 });

    const cachedA = backbone.extract(a),
      cachedB = backbone.extract(b);
    expect(backboneStats.executions - before.executions).toBe(1);
    // A new frame object with the same pixels misses the cache and runs alone.
    const aloneA = backbone.extract({ ...a }),
      aloneB = backbone.extract({ ...b });
    expect(backboneStats.executions - before.executions).toBe(3);
    for (const [cached, alone] of [
      [cachedA, aloneA],
      [cachedB, aloneB],
    ] as const) {
      expect(cached.batch).toBe(1);
      cached.layers.forEach((layer, l) => {
        expect(layer.length).toBe(alone.layers[l]!.length);
        let worst = 0;
        for (let i = 0; i < layer.length; i++) worst = Math.max(worst, Math.abs(layer[i]! - alone.layers[l]![i]!));
        expect(worst).toBeLessThan(1e-3);
      });
    }
    // Different frames, different features: the batch was not one frame twice.
    expect(cachedA.layers[0]).not.toEqual(cachedB.layers[0]);
  }, 60_000);

  it('runs a lone frame after the window, and passes frames of a model without a backbone straight through', async () => {
    const backbone = await loadBackbone({ inputWidth: W, inputHeight: H });
    const batcher = new BackboneBatcher({ windowMs: 5, maxBatch: 8 });
    const before = backboneStats.executions;
    await batcher.prefetch({ backbones: () => [backbone] } as unknown as CameraModel, frame(3), ['padim']);
    expect(backboneStats.executions - before).toBe(1);
    await batcher.prefetch({ backbones: () => [] } as unknown as CameraModel, frame(4), ['patchGaussian']);
    expect(batcher.stats).toEqual({ batches: 1, frames: 1 });
  }, 60_000);
});
