import { describe, expect, it } from 'vitest';
import { ModelError } from '@vigil/core';
import { autoencoderKind, autoencoderLayers } from '../src/autoencoder/index.js';
import { initBackend, tf } from '../src/backend/tfBackend.js';
import { frameImage, netGrid } from '../src/tinyConvNet/frameImage.js';
import { forward, initParams, seededRandom, toPlanar } from '../src/tinyConvNet/layers.js';
import { tfForward } from '../src/tinyConvNet/tfForward.js';
import { decodeClip, TRAFFIC_DIR } from './footage.js';
import { describeLearnedMember } from './learnedMembers.js';

describeLearnedMember('autoencoder');

describe('the autoencoder net', () => {
  it('computes on tfjs what it was trained as in plain TypeScript', async () => {
    await initBackend();
    const clip = await decodeClip(`${TRAFFIC_DIR}/street.mp4`, 320, 176, 1);
    const frame = { data: clip.frames[3]!, width: clip.width, height: clip.height };
    const grid = netGrid(frame, 4);
    const layers = autoencoderLayers(12, 6, 2);
    const weights = initParams(layers, seededRandom(7));
    const image = frameImage(frame, grid, [0.4, 0.4, 0.4]);
    const shape = { h: grid.height, w: grid.width, c: 3 };
    const js = forward(layers, weights, toPlanar(image, shape), shape).values.at(-1)!;
    const onTf = tf.tidy(() => tfForward(layers, weights, tf.tensor4d(image, [1, grid.height, grid.width, 3])).dataSync());
    const planarTf = toPlanar(onTf, shape);
    let maxDiff = 0,
      maxAbs = 0;
    for (let i = 0; i < js.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(js[i]! - planarTf[i]!));
      maxAbs = Math.max(maxAbs, Math.abs(js[i]!));
    }
    expect(maxAbs).toBeGreaterThan(0.01);
    expect(maxDiff).toBeLessThan(1e-4 * Math.max(1, maxAbs));
  });

  it('refuses saved weights that do not fit its layers, and bad params, with a ModelError', () => {
    const frame = { width: 320, height: 176 };
    const saved = { state: {}, arrays: { mean: new Float32Array(3), w0: new Float32Array(10) } };
    expect(() => autoencoderKind.restore({}, saved, frame)).toThrow(ModelError);
    expect(() => autoencoderKind.restore({}, saved, frame)).toThrow(/w0 has 10 values/);
    expect(() => autoencoderKind.restore({ error: 'l3' }, saved, frame)).toThrow(/invalid autoencoder params/);
  });
});
