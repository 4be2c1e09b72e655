import { FeatureExtractor, FEATURE_COUNT } from '../src/patchGaussian/model.js';
const W = 32, H = 16;
const data = new Uint8Array(W * H * 3).fill(100);
const ex = new FeatureExtractor(W, H, { patchSize: 16, stride: 8 });
const out = new Float32Array(ex.patchCount * FEATURE_COUNT);
ex.extract({ data, width: W, height: H }, out);
console.log(ex.grid, Array.from(out), (ex as any).cellSums);
