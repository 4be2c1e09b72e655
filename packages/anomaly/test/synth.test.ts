import { describe, expect, it } from 'vitest';
import { anomalyBoxAt, anomalyPresentAt, anomalyStoppedAt, boxIoU, injectAnomaly, type AnomalySpec } from '../src/synth/index.js';

const W = 320,
  H = 176;
const stopped: AnomalySpec = {
  kind: 'stopped-vehicle',
  startSeconds: 10,
  durationSeconds: 5,
  size: { width: 0.16, height: 0.18 },
  position: { x: 0.5, y: 0.6 },
  velocity: { x: -0.1, y: 0 },
  enterSeconds: 1,
};
const wrongWay: AnomalySpec = {
  kind: 'wrong-way',
  startSeconds: 2,
  durationSeconds: 20,
  size: { width: 0.16, height: 0.18 },
  position: { x: 0.1, y: 0.5 },
  velocity: { x: 0.2, y: 0 },
};

describe('synthetic anomalies', () => {
  it('a stopped vehicle is absent before and after its window, drives in, then stays put', () => {
    expect(anomalyBoxAt(stopped, 9.9)).toBeNull();
    expect(anomalyBoxAt(stopped, 15)).toBeNull();
    const entering = anomalyBoxAt(stopped, 10.5)!;
    const parked = anomalyBoxAt(stopped, 11)!;
    expect(entering.x).toBeGreaterThan(parked.x);
    expect(anomalyBoxAt(stopped, 14.9)).toEqual(parked);
    expect(parked.x + parked.width / 2).toBeCloseTo(0.5);
    expect(anomalyStoppedAt(stopped, 10.5)).toBe(false);
    expect(anomalyStoppedAt(stopped, 12)).toBe(true);
    // Vehicle-sized at 320 px: about 51 × 32 px.
    expect(parked.width * W).toBeGreaterThan(40);
    expect(parked.height * H).toBeGreaterThan(25);
  });

  it('a wrong-way object moves at its velocity and is clipped, then gone, at the frame edge', () => {
    const a = anomalyBoxAt(wrongWay, 3)!,
      b = anomalyBoxAt(wrongWay, 4)!;
    expect(b.x - a.x).toBeCloseTo(0.2);
    const leaving = anomalyBoxAt(wrongWay, 6.5)!;
    expect(leaving.x + leaving.width).toBeCloseTo(1);
    expect(leaving.width).toBeLessThan(0.16);
    expect(anomalyPresentAt(wrongWay, 8)).toBe(false);
  });

  it('draws deterministically inside its box only, and returns that box', () => {
    const base = new Uint8Array(W * H * 3).fill(90);
    const a = new Uint8Array(base),
      b = new Uint8Array(base);
    const ra = injectAnomaly(a, W, H, 12, stopped);
    injectAnomaly(b, W, H, 12, stopped);
    expect(a).toEqual(b);
    expect(ra.box).toEqual(anomalyBoxAt(stopped, 12));
    const box = ra.box!;
    let changedInside = 0,
      changedOutside = 0;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const changed = a[(y * W + x) * 3] !== 90 || a[(y * W + x) * 3 + 2] !== 90;
        const inside = x >= box.x * W - 1 && x <= (box.x + box.width) * W && y >= box.y * H - 1 && y <= (box.y + box.height) * H;
        if (changed && inside) changedInside++;
        if (changed && !inside) changedOutside++;
      }
    }
    expect(changedOutside).toBe(0);
    expect(changedInside).toBeGreaterThan(0.7 * box.width * W * box.height * H);
    const untouched = new Uint8Array(base);
    expect(injectAnomaly(untouched, W, H, 5, stopped).box).toBeNull();
    expect(untouched).toEqual(base);
  });

  it('measures box overlap as intersection over union', () => {
    expect(boxIoU({ x: 0, y: 0, width: 0.2, height: 0.2 }, { x: 0.1, y: 0, width: 0.2, height: 0.2 })).toBeCloseTo(1 / 3);
    expect(boxIoU({ x: 0, y: 0, width: 0.1, height: 0.1 }, { x: 0.5, y: 0.5, width: 0.1, height: 0.1 })).toBe(0);
  });
});
