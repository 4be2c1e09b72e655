/**
 * Training time of each learned member as a camera model on 2,500 frames (street.mp4 at 5 fps, looped),
 * printed, not asserted: `npx tsx packages/anomaly/test/learnedMembers.timing.ts [member…]`. Kept out of
 * the vitest suite because three fits of a minute each would not fit its per-file budget.
 */
import { initBackend } from '../src/backend/tfBackend.js';
import { fitCameraModel } from '../src/cameraModel.js';
import { framesWithPrev } from '../src/frameInput.js';
import { decodeClip, TRAFFIC_DIR } from './footage.js';

const FRAMES = 2500;
const members = process.argv.slice(2).length ? process.argv.slice(2) : ['autoencoder', 'deepSvdd', 'rotation'];
console.log(`backend ${await initBackend()}`);
const clip = await decodeClip(`${TRAFFIC_DIR}/street.mp4`, 320, 176);
const looped = Array.from({ length: FRAMES }, (_, i) => clip.frames[i % clip.frames.length]!);
const inputs = framesWithPrev(looped, clip.width, clip.height);
for (const member of members) {
  const t0 = performance.now(),
    c0 = process.cpuUsage();
  const model = await fitCameraModel(inputs, { cameraId: 'timing', members: [member] });
  const wall = (performance.now() - t0) / 1000,
    cpu = process.cpuUsage(c0).user / 1e6;
  const training = model.manifest.members[0]!.state.training as { samplePasses: number; ms: number } | null;
  const s0 = performance.now();
  for (const input of inputs.slice(0, 50)) model.score(input);
  console.log(
    `${member}: camera model on ${FRAMES} frames in ${wall.toFixed(1)} s wall (${cpu.toFixed(1)} s CPU), ` +
      `of which training ${((training?.ms ?? 0) / 1000).toFixed(1)} s for ${training?.samplePasses} sample passes; scoring ${((performance.now() - s0) / 50).toFixed(1)} ms/frame`,
  );
}
