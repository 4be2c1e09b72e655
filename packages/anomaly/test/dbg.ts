import { decodeClip, TRAFFIC_DIR } from './footage.js';
import { framesWithPrev } from '../src/frameInput.js';
import { FeatureExtractor, FEATURE_COUNT } from '../src/patchGaussian/model.js';
for (const [name, h] of [['street.mp4', 176], ['parking-overhead.mp4', 180]] as const) {
  const clip = await decodeClip(`${TRAFFIC_DIR}/${name}`, 320, h);
  const inputs = framesWithPrev(clip.frames, 320, h).slice(1, 100);
  const ex = new FeatureExtractor(320, h, { patchSize: 16, stride: 8 });
  const out = new Float32Array(ex.patchCount * FEATURE_COUNT);
  const vals: number[][] = [[], [], [], [], []];
  for (const x of inputs) { ex.extract(x, out); for (let p = 0; p < ex.patchCount; p++) for (let f = 0; f < 5; f++) vals[f]!.push(out[p * 5 + f]!); }
  for (let f = 0; f < 5; f++) { const s = vals[f]!.sort((a, b) => a - b); console.log(name, f, [0.01, 0.1, 0.5, 0.9, 0.95, 0.99, 0.999].map((q) => s[Math.floor(q * s.length)]!.toFixed(2)).join(' ')); }
}
