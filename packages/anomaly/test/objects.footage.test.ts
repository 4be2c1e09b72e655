/**
 * The objects member on real footage (street.mp4): the COCO detector's objects, learned from the first
 * 20 s, then the rest of the clip played forward and backward. Backward, every moving vehicle drives
 * against the direction its lane had in training.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/tfBackend.js';
import { fitCameraModel, loadCameraModel, saveCameraModel } from '../src/cameraModel.js';
import { framesWithPrev, type FrameInput } from '../src/frameInput.js';
import { objectsKind, type ObjectsDetector } from '../src/objects/index.js';
import { decodeClip, TRAFFIC_DIR } from './footage.js';

const report = (msg: string) => process.stdout.write(`  [figures] ${msg}\n`);
const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!;

describe('objects member on street.mp4', () => {
  let member: ObjectsDetector;
  let forward: FrameInput[], backward: FrameInput[], train: FrameInput[];

  beforeAll(async () => {
    await initBackend();
    const clip = await decodeClip(`${TRAFFIC_DIR}/street.mp4`, 320, 176);
    const frames = framesWithPrev(clip.frames, clip.width, clip.height);
    train = frames.slice(0, 100);
    const rest = clip.frames.slice(100);
    forward = framesWithPrev(rest, clip.width, clip.height);
    backward = framesWithPrev([...rest].reverse(), clip.width, clip.height);
    const t0 = performance.now();
    member = (await objectsKind.fit(train)) as ObjectsDetector;
    report(`objects: fitted on ${train.length} frames in ${((performance.now() - t0) / 1000).toFixed(1)} s; ${member.bank.size} training objects`);
  }, 180_000);

  it('scores moving vehicles played backward, against their lanes, above the same vehicles played forward', () => {
    const moving = (inputs: FrameInput[]) =>
      inputs
        .flatMap((f) => member.scoreObjects(f))
        .filter(({ object }) => Number.isFinite(object.v[4]!) && Math.hypot(object.v[4]!, object.v[5]!) > 0.01)
        .map((o) => o.score);
    const fwd = moving(forward),
      bwd = moving(backward);
    report(`objects: moving vehicles forward ${fwd.length}, median distance ${median(fwd).toFixed(2)}; backward ${bwd.length}, median ${median(bwd).toFixed(2)}`);
    expect(fwd.length).toBeGreaterThan(10);
    expect(bwd.length).toBeGreaterThan(10);
    // Weak but real: the detector finds few moving vehicles at this size, and the street has two directions.
    expect(median(bwd)).toBeGreaterThan(median(fwd) * 1.2);
  }, 120_000);

  it('marks the boxes of the objects it scores, and round-trips through a saved model', async () => {
    const f = forward[10]!;
    const out = member.score(f);
    const objects = member.scoreObjects(f);
    expect(objects.length).toBeGreaterThan(0);
    expect(out.raw).toBeCloseTo(Math.max(...objects.map((o) => o.score)), 5);
    expect(Math.max(...out.map.data)).toBeCloseTo(out.raw, 5);
    const model = await fitCameraModel(train.slice(0, 24), { cameraId: 'street', members: ['objects'] });
    const dir = join(mkdtempSync(join(tmpdir(), 'vigil-objects-')), 'm');
    await saveCameraModel(model, dir);
    const loaded = await loadCameraModel(dir);
    expect(loaded.score(f).score).toBeCloseTo(model.score(f).score, 5);
  }, 120_000);
});
