import { decodeClip, TRAFFIC_DIR } from './footage.js';
import { framesWithPrev } from '../src/frameInput.js';
import { patchGaussianKind } from '../src/patchGaussian/index.js';
import { injectAnomaly, boxIoU, type AnomalySpec } from '../src/synth/index.js';

const clipName = process.argv[2] ?? 'street';
const h = clipName === 'street' ? 176 : 180;
const params = JSON.parse(process.argv[3] ?? '{}');
const clip = await decodeClip(`${TRAFFIC_DIR}/${clipName === 'street' ? 'street.mp4' : 'parking-overhead.mp4'}`, 320, h);
const inputs = framesWithPrev(clip.frames, 320, h);
const nTrain = 100;
const train = inputs.slice(0, nTrain);
const rest = inputs.slice(nTrain);
// 5 contiguous folds
const folds = 5;
const held: number[] = [];
for (let f = 0; f < folds; f++) {
  const a = Math.floor((f * nTrain) / folds), b = Math.floor(((f + 1) * nTrain) / folds);
  const m = patchGaussianKind.fit([...train.slice(0, a), ...train.slice(b)], params);
  for (const x of train.slice(a, b)) held.push(m.score(x).raw);
}
console.log('fold maxima', Array.from({ length: folds }, (_, f) => Math.max(...held.slice(f * 20, f * 20 + 20)).toFixed(1)).join(' '));
const inter: number[] = [];
for (let f = 0; f < 5; f++) {
  const m = patchGaussianKind.fit(train.filter((_, i) => i % 5 !== f), params);
  for (const x of train.filter((_, i) => i % 5 === f)) inter.push(m.score(x).raw);
}
const is = [...inter].sort((a, b) => a - b);
console.log('interleaved: median', is[50]?.toFixed(2), 'q95', is[95]?.toFixed(2), 'max', is[99]?.toFixed(2));
let t0 = performance.now();
const model = patchGaussianKind.fit(train, params);
const fitMs = performance.now() - t0;
const heldMax = Math.max(...held);
const sorted = [...held].sort((a, b) => a - b);
console.log('held: median', sorted[50]?.toFixed(2), 'q95', sorted[95]?.toFixed(2), 'max', heldMax.toFixed(2), 'fit ms', fitMs.toFixed(0));
t0 = performance.now();
const clean = rest.map((x) => model.score(x).raw);
const ms = (performance.now() - t0) / rest.length;
const cleanSorted = [...clean].sort((a, b) => a - b);
console.log('clean: median', cleanSorted[cleanSorted.length >> 1]?.toFixed(2), 'max', Math.max(...clean).toFixed(2), 'argmax', clean.indexOf(Math.max(...clean)) + nTrain, 'ms/frame', ms.toFixed(2));
console.log('clean scores', clean.map((v) => v.toFixed(1)).join(' '));
const spec: AnomalySpec = clipName === 'street'
  ? { kind: 'stopped-vehicle', startSeconds: 22, durationSeconds: 8, size: { width: 0.16, height: 0.18 }, position: { x: 0.55, y: 0.62 }, velocity: { x: -0.08, y: -0.1 }, enterSeconds: 1 }
  : { kind: 'stopped-vehicle', startSeconds: 22, durationSeconds: 6, size: { width: 0.16, height: 0.18 }, position: { x: 0.45, y: 0.5 }, velocity: { x: 0.1, y: 0 }, enterSeconds: 1 };
const injected = rest.map((x, i) => ({ ...x, data: new Uint8Array(x.data), prev: x.prev ? new Uint8Array(x.prev) : undefined }));
const scores: string[] = [];
for (let i = 0; i < injected.length; i++) {
  const t = (i + nTrain) / 5;
  const inp = injected[i]!;
  const { box } = injectAnomaly(inp.data, 320, h, t, spec);
  if (inp.prev) injectAnomaly(inp.prev, 320, h, t - 0.2, spec);
  if (box) {
    const s = model.score(inp);
    scores.push(`${t.toFixed(1)}:${s.raw.toFixed(1)}`);
  }
}
console.log('injected', scores.join(' '));
if (process.env.SAVE) {
  const { writeFileSync } = await import('node:fs');
  const i = 115; const inp = injected[i - nTrain]!;
  writeFileSync('/tmp/inj.rgb', inp.data);
}
