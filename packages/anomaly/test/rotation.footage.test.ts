import { describe, expect, it } from 'vitest';
import { ModelError } from '@vigil/core';
import { rotate, rotationKind } from '../src/rotation/index.js';
import { describeLearnedMember } from './learnedMembers.js';

describeLearnedMember('rotation');

describe('rotation prediction', () => {
  it('turns images counter-clockwise, and four quarter turns undo each other', () => {
    // [[1, 2, 3], [4, 5, 6]] a quarter turn counter-clockwise is [[3, 6], [2, 5], [1, 4]].
    const turned = rotate([1, 2, 3, 4, 5, 6], 2, 3, 1, 1);
    expect([turned.h, turned.w]).toEqual([3, 2]);
    expect(Array.from(turned.data)).toEqual([3, 6, 2, 5, 1, 4]);
    const rgb = Float32Array.from({ length: 4 * 6 * 3 }, (_, i) => i);
    for (let r = 0; r < 4; r++) {
      const t = rotate(rgb, 4, 6, 3, r);
      expect(Array.from(rotate(t.data, t.h, t.w, 3, 4 - r).data)).toEqual(Array.from(rgb));
    }
  });

  it('refuses saved weights that do not fit its layers with a ModelError', () => {
    const saved = { state: {}, arrays: { mean: new Float32Array(3), w0: new Float32Array(5) } };
    expect(() => rotationKind.restore({}, saved, { width: 320, height: 176 })).toThrow(ModelError);
  });
});
