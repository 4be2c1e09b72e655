import { backward, conv, forward, initParams, outputShape, paramShapes, seededRandom, upsample2, type LayerSpec } from './layers.js';
const rnd = seededRandom(1);
const small: LayerSpec[] = [conv(3, 4, { stride: 2 }), conv(4, 5, { activation: 'leaky', bias: false }), upsample2, conv(5, 2, { activation: 'linear' })];
const shape = { h: 7, w: 6, c: 3 };
const params = initParams(small, rnd);
const x = Float32Array.from({ length: 7 * 6 * 3 }, () => rnd() - 0.5);
const loss = () => { const t = forward(small, params, x, shape); let s = 0; const y = t.values.at(-1)!; for (let i = 0; i < y.length; i++) s += y[i]! * y[i]! * (1 + (i % 3)); return s; };
const t = forward(small, params, x, shape);
const y = t.values.at(-1)!;
const d = Float32Array.from(y, (v, i) => 2 * v * (1 + (i % 3)));
const grads = params.map((p) => new Float32Array(p.length));
backward(small, params, t, d, grads);
let maxErr = 0;
for (let k = 0; k < params.length; k++) for (let i = 0; i < params[k]!.length; i += 1) {
  const p = params[k]!; const v = p[i]!; const h = 1e-3;
  p[i] = v + h; const a = loss(); p[i] = v - h; const b = loss(); p[i] = v;
  const num = (a - b) / (2 * h); maxErr = Math.max(maxErr, Math.abs(num - grads[k]![i]!) / (Math.abs(num) + 1e-2));
}
console.log('grad rel err', maxErr, outputShape(small, shape), paramShapes(small));
const ae: LayerSpec[] = [conv(3, 16, { stride: 2 }), conv(16, 32, { stride: 2 }), conv(32, 8), upsample2, conv(8, 16), upsample2, conv(16, 3, { activation: 'linear' })];
const P = initParams(ae, rnd); const G = P.map((p) => new Float32Array(p.length));
const img = Float32Array.from({ length: 44 * 80 * 3 }, () => rnd());
const c0 = process.cpuUsage(); const t0 = performance.now();
for (let i = 0; i < 20; i++) { const tr = forward(ae, P, img, { h: 44, w: 80, c: 3 }); const out = tr.values.at(-1)!; const dd = Float32Array.from(out, (v, j) => v - img[j]!); backward(ae, P, tr, dd, G); }
console.log('AE train ms/sample wall', (performance.now() - t0) / 20, 'cpu', process.cpuUsage(c0).user / 1000 / 20);
