import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findTracks, pastePlacement, realObjectAnomaly, type ObjectTrack } from '../src/synth/index.js';
import { decodeClip, TRAFFIC_DIR } from './footage.js';

const W = 96,
  H = 64;

/** A textured still scene with a 12 × 8 block of its own colours driving right 4 px a frame from x = 10. */
function drivingBlock(frames: number): Uint8Array[] {
  const scene = new Uint8Array(W * H * 3);
  for (let i = 0; i < W * H; i++) scene.fill(90 + ((i * 37) % 23), i * 3, i * 3 + 3);
  return Array.from({ length: frames }, (_, k) => {
    const f = new Uint8Array(scene);
    for (let y = 30; y < 38; y++) for (let x = 10 + 4 * k; x < 22 + 4 * k; x++) f.set([220, 40 + x, 30], (y * W + x) * 3);
    return f;
  });
}

describe('real objects for vigil synth', () => {
  it('follows a moving object frame to frame and cuts it out with its own pixels', () => {
    const frames = drivingBlock(12);
    const tracks = findTracks(frames, W, H, { minPixels: 40 });
    expect(tracks).toHaveLength(1);
    const steps = tracks[0]!.steps;
    expect(steps.map((s) => s.frame)).toEqual(Array.from({ length: 12 }, (_, k) => k));
    steps.forEach((s, k) => expect(s.box).toEqual({ x: 10 + 4 * k, y: 30, width: 12, height: 8 }));
    // The cutout is the block's own pixels (red channel 220), fully opaque inside.
    expect(steps[3]!.cutout.rgb[0]).toBe(220);
    expect(steps[3]!.cutout.alpha[5 * 12 + 5]).toBe(1);
  });

  it('ignores what does not move and what is too small', () => {
    const frames = drivingBlock(1);
    expect(
      findTracks(
        Array.from({ length: 8 }, () => frames[0]!),
        W,
        H,
        { minPixels: 40 },
      ),
    ).toEqual([]);
    expect(findTracks(drivingBlock(12), W, H, { minPixels: 200 })).toEqual([]);
  });

  it('a stopped vehicle drives in, then stands still where it stopped, marked anomalous only while it stands', () => {
    const frames = drivingBlock(12);
    const track = findTracks(frames, W, H, { minPixels: 40 })[0]!;
    const made = realObjectAnomaly('stopped-vehicle', track, 1, 4, 5, { width: W, height: H })!;
    // Stops two thirds along its 12-frame track (step 7), after driving in for 1 s (5 frames at 5 fps).
    expect(made.spec.stoppedAt).toEqual({ x: 10 + 4 * 7, y: 30, width: 12, height: 8 });
    expect(made.placements).toHaveLength(20);
    expect(made.placements.slice(0, 4).map((p) => p.box.x)).toEqual([22, 26, 30, 34]);
    expect(made.placements.slice(0, 4).every((p) => !p.anomalous)).toBe(true);
    expect(made.placements.slice(4).every((p) => p.anomalous && p.box.x === 38)).toBe(true);

    const still = drivingBlock(1)[0]!; // the scene, its own block back at x = 10
    const mask = new Uint8Array(W * H);
    expect(pastePlacement(still, W, H, made.placements, 0, mask)).toBe(false);
    expect(mask.includes(1)).toBe(false);
    expect(pastePlacement(still, W, H, made.placements, 10, mask)).toBe(true);
    // The mask covers the pasted block, and the frame shows it there.
    expect(mask[34 * W + 44]).toBe(1);
    expect(mask[34 * W + 60]).toBe(0);
    expect(still[(34 * W + 44) * 3]).toBe(220);
    expect(pastePlacement(still, W, H, made.placements, 99, mask)).toBe(false);
  });

  it('a wrong-way vehicle plays its track backward; a shoulder stop stands beside its lane', () => {
    const track = findTracks(drivingBlock(12), W, H, { minPixels: 40 })[0]!;
    const wrong = realObjectAnomaly('wrong-way', track, 0, 10, 5, { width: W, height: H })!;
    expect(wrong.placements.map((p) => p.box.x)).toEqual(Array.from({ length: 12 }, (_, k) => 10 + 4 * (11 - k)));
    expect(wrong.spec.durationSeconds).toBeCloseTo(12 / 5);
    const shoulder = realObjectAnomaly('shoulder', track, 0, 4, 5, { width: W, height: H })!;
    // Driving right, so beside the lane is above or below it by its height and a gap, at the same x.
    expect(shoulder.spec.stoppedAt!.x).toBeCloseTo(38);
    expect(Math.abs(shoulder.spec.stoppedAt!.y - 30)).toBeGreaterThanOrEqual(8);
    // A one-frame "track" (an object seen once) cannot drive the wrong way.
    const once: ObjectTrack = { steps: track.steps.slice(0, 1) };
    expect(realObjectAnomaly('wrong-way', once, 0, 4, 5, { width: W, height: H })).toBeUndefined();
  });

  it('finds real vehicles driving along footage/street.mp4, growing as they near the camera', async () => {
    const clip = await decodeClip(join(TRAFFIC_DIR, 'street.mp4'), 320, 176);
    const tracks = findTracks(clip.frames.slice(0, 120), 320, 176);
    expect(tracks.length).toBeGreaterThanOrEqual(2);
    for (const t of tracks.slice(0, 2)) {
      expect(t.steps.length).toBeGreaterThanOrEqual(8);
      const first = t.steps[0]!.box,
        last = t.steps.at(-1)!.box;
      // Down the road towards the camera: lower in the frame and bigger.
      expect(last.y + last.height).toBeGreaterThan(first.y + first.height);
      expect(last.width * last.height).toBeGreaterThan(first.width * first.height);
    }
  }, 60_000);
});
