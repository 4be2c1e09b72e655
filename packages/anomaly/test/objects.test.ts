/** Object-level normality (objects/model.ts): matching to the previous frame, motion, and distance to training objects. */
import { describe, expect, it } from 'vitest';
import { defaultObjectParams, ObjectBank, objectVectors, type DetectedObject, type ObjectVector } from '../src/objects/index.js';

const W = 400,
  H = 200;
const box = (cls: number, cx: number, cy: number, w = 40, h = 20, score = 0.6): DetectedObject => ({ cls, score, x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2 });

describe('objectVectors', () => {
  it('matches each object to the nearest previous one of its class and measures its motion; others have none', () => {
    const prev = [box(2, 100, 100), box(2, 300, 100), box(0, 200, 50)];
    const now = [box(2, 108, 100), box(0, 260, 150), box(2, 50, 180, 40, 20, 0.1)];
    const [car, person, ...rest] = objectVectors(now, prev, W, H, defaultObjectParams);
    expect(rest).toEqual([]); // under minScore
    expect(car!.v[4]).toBeCloseTo(8 / W, 6);
    expect(car!.v[5]).toBeCloseTo(0, 6);
    // The person moved too far (0.32 of the frame) to be the previous one: no motion.
    expect(Number.isNaN(person!.v[4]!)).toBe(true);
    expect(car!.v[0]).toBeCloseTo(108 / W, 6);
    expect(car!.v[2]).toBeCloseTo(Math.log(40 / W), 6);
  });
});

describe('ObjectBank', () => {
  // Training: cars in the lower lane drive right, cars in the upper lane drive left.
  const training: ObjectVector[] = [];
  for (let x = 40; x <= 360; x += 20) {
    training.push(...objectVectors([box(2, x + 8, 150)], [box(2, x, 150)], W, H, defaultObjectParams));
    training.push(...objectVectors([box(2, x - 8, 60)], [box(2, x, 60)], W, H, defaultObjectParams));
  }
  const bank = ObjectBank.from(training);
  const score = (now: DetectedObject, prev?: DetectedObject) => bank.distance(objectVectors([now], prev ? [prev] : [], W, H, defaultObjectParams)[0]!, defaultObjectParams.unseenClass);

  it('scores a car driving with its lane low and one driving against it high', () => {
    const withFlow = score(box(2, 208, 150), box(2, 200, 150));
    const wrongWay = score(box(2, 192, 150), box(2, 200, 150));
    expect(withFlow).toBeLessThan(0.5);
    expect(wrongWay).toBeGreaterThan(2);
  });

  it('compares only place and size when the object has no motion, and scores a class never seen as unseenClass', () => {
    expect(score(box(2, 200, 150))).toBeLessThan(0.5);
    expect(score(box(2, 200, 110))).toBeGreaterThan(2); // between the lanes
    expect(score(box(0, 200, 150, 10, 30))).toBe(defaultObjectParams.unseenClass);
  });
});
