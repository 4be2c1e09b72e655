import { decodeClip, TRAFFIC_DIR } from './footage.js';
import { framesWithPrev } from '../src/frameInput.js';
import { patchGaussianKind } from '../src/patchGaussian/index.js';
const clip = await decodeClip(`${TRAFFIC_DIR}/street.mp4`, 320, 176);
const inputs = framesWithPrev(clip.frames, 320, 176);
const train = inputs.slice(0, 100);
const params = JSON.parse(process.argv[2] ?? '{}');
const rows: string[] = [];
for (let f = 0; f < 5; f++) {
  const m = patchGaussianKind.fit(train.filter((_, i) => i % 5 !== f), params);
  train.forEach((x, i) => {
    if (i % 5 !== f) return;
    const { raw, map } = m.score(x);
    const arg = map.data.indexOf(raw);
    rows[i] = `${i}:${raw.toFixed(1)}@${arg % map.cols},${Math.floor(arg / map.cols)}`;
  });
}
console.log(rows.join(' '));
