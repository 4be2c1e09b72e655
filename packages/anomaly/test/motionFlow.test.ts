import { beforeAll, describe, expect, it } from 'vitest';
import { fitCameraModel, type CameraModel } from '../src/cameraModel.js';
import { BlockFlow, type MotionFlow, motionFlowKind } from '../src/motionFlow/index.js';
import type { AnomalySpec } from '../src/synth/index.js';
import { injectIntoRest, splitClip, type ClipSplit } from './detection.js';
import { cellsInBox, report } from './trafficClip.js';

const W = 320,
  H = 176;

/** Value noise: a seeded random lattice every 5 px, bilinearly interpolated — textured and not periodic, like a real scene. */
const LATTICE = 5;
const lattice = (() => {
  let x = 12345;
  const cols = Math.ceil(W / LATTICE) + 8,
    rows = Math.ceil(H / LATTICE) + 8;
  const v = new Float32Array(cols * rows).map(() => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 200 + 28);
  return { cols, rows, v };
})();

function texture(dx = 0, dy = 0): Uint8Array {
  const out = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      // Sampled at (x − dx, y − dy): the whole picture moved by (dx, dy).
      const u = (x - dx) / LATTICE + 4,
        v = (y - dy) / LATTICE + 4;
      const i = Math.floor(u),
        j = Math.floor(v),
        fu = u - i,
        fv = v - j;
      const at = (a: number, b: number) => lattice.v[b * lattice.cols + a]!;
      const l = (1 - fv) * ((1 - fu) * at(i, j) + fu * at(i + 1, j)) + fv * ((1 - fu) * at(i, j + 1) + fu * at(i + 1, j + 1));
      out.fill(Math.round(l), (y * W + x) * 3, (y * W + x) * 3 + 3);
    }
  }
  return out;
}

describe('block-matching flow', () => {
  it.each([
    [5, -3],
    [-11, 7],
    [2.5, 0],
  ])('recovers a known global shift of (%d, %d) px', (dx, dy) => {
    const flow = new BlockFlow(W, H, { cell: 8, changeThreshold: 1, searchRadius: 8, maxMatchRatio: 0.8, minAgreeing: 2 });
    const field = flow.estimate(texture(dx, dy), texture());
    const ex: number[] = [],
      ey: number[] = [];
    // Interior cells: border cells may have their match outside the frame.
    for (let r = 3; r < field.rows - 3; r++)
      for (let c = 3; c < field.cols - 3; c++) {
        const k = r * field.cols + c;
        if (field.valid[k]) {
          ex.push(field.dx[k]!);
          ey.push(field.dy[k]!);
        }
      }
    const median = (a: number[]) => [...a].sort((p, q) => p - q)[a.length >> 1]!;
    expect(ex.length).toBeGreaterThan(0.9 * (field.rows - 6) * (field.cols - 6));
    expect(median(ex)).toBeCloseTo(dx, 0);
    expect(median(ey)).toBeCloseTo(dy, 0);
    expect(ex.filter((v, i) => Math.hypot(v - dx, ey[i]! - dy) <= 1).length / ex.length).toBeGreaterThan(0.95);
  });

  it('finds no motion between identical frames', () => {
    const field = new BlockFlow(W, H).estimate(texture(), texture());
    expect(field.valid.every((v) => v === 0)).toBe(true);
  });
});

describe('motionFlow on street.mp4 (fit on the first 20 s, judged on the rest)', () => {
  let split: ClipSplit;
  let model: CameraModel;
  // Drives up the near lane against its traffic (which comes down toward the camera), at a slow 6 px per analysed frame.
  const wrongWay: AnomalySpec = {
    kind: 'wrong-way',
    startSeconds: 24,
    durationSeconds: 5,
    size: { width: 0.12, height: 0.14 },
    position: { x: 0.85, y: 0.85 },
    velocity: { x: -0.08, y: -0.08 },
  };

  beforeAll(async () => {
    split = await splitClip('street.mp4', 20);
    const t0 = performance.now();
    model = await fitCameraModel(split.train, { cameraId: 'street', members: ['motionFlow'] });
    report(
      `motionFlow: fit (5-fold calibration) on ${split.train.length} frames in ${(performance.now() - t0).toFixed(0)} ms, threshold ${model.manifest.members[0]!.calibration.threshold.toFixed(2)}`,
    );
  }, 60_000);

  it('raises no frame to the threshold on the clean remainder, within ~10 ms a frame', () => {
    const detector = motionFlowKind.fit(split.train) as MotionFlow;
    const t0 = performance.now();
    for (const input of split.rest) detector.score(input);
    const ms = (performance.now() - t0) / split.rest.length;
    const scores = split.rest.map((input) => model.score(input).score);
    report(`motionFlow: clean remainder ${scores.length} frames, max normalised ${Math.max(...scores).toFixed(2)}, ${ms.toFixed(2)} ms/frame`);
    expect(Math.max(...scores)).toBeLessThan(1);
    expect(ms).toBeLessThan(20);
  });

  it('flags a wrong-way mover in most frames where it moves, at its place', () => {
    const frames = injectIntoRest(split, wrongWay).filter((f) => f.box && f.t - wrongWay.startSeconds > 0.1); // it needs a previous frame to move in
    let hits = 0,
      located = 0;
    for (const f of frames) {
      const s = model.score(f.input);
      if (s.score < 1) continue;
      hits++;
      // Its cells carry the frame's peak.
      const inBox = Math.max(...cellsInBox(s.map, { x: f.box!.x - 0.03, y: f.box!.y - 0.05, width: f.box!.width + 0.06, height: f.box!.height + 0.1 }));
      if (inBox >= Math.max(...s.map.data) - 1e-6) located++;
    }
    report(`motionFlow: wrong-way detected in ${hits}/${frames.length} frames where it moves (${((100 * hits) / frames.length).toFixed(0)}%), peak on it in ${located}/${hits}`);
    expect(hits / frames.length).toBeGreaterThanOrEqual(0.7);
    expect(located / hits).toBeGreaterThanOrEqual(0.9);
  });

  it('restores from its exported state to identical scores', () => {
    const fitted = motionFlowKind.fit(split.train) as MotionFlow;
    const restored = motionFlowKind.restore({ ...fitted.params }, fitted.exportState(), fitted.frame);
    for (const input of split.rest.slice(0, 20)) expect(Array.from(restored.score(input).map.data)).toEqual(Array.from(fitted.score(input).map.data));
    expect(() => motionFlowKind.restore({}, { state: {}, arrays: {} }, fitted.frame)).toThrow(/lacks/);
  });

  it('is neutral without the previous frame', () => {
    const out = model.score({ data: split.rest[0]!.data, width: W, height: H });
    expect(out.score).toBeLessThan(1);
    expect(Math.max(...out.map.data)).toBe(0);
  });
});
