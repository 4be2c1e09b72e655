import { describe, expect, it } from 'vitest';
import { ModelError } from '@vigil/core';
import { deepSvddKind, deepSvddLayers, pushFromZero } from '../src/deepSvdd/index.js';
import { describeLearnedMember } from './learnedMembers.js';

describeLearnedMember('deepSvdd');

describe('the Deep SVDD net', () => {
  it('has no bias and no bounded activation, and keeps its centre off zero (Ruff et al. §3.3)', () => {
    for (const l of deepSvddLayers(12, 8)) {
      if (l.type !== 'conv') continue;
      expect(l.bias).toBe(false);
      expect(['leaky', 'linear']).toContain(l.activation);
    }
    expect(Array.from(pushFromZero(Float32Array.from([0.5, 0.01, -0.02, 0]), 0.1))).toEqual([0.5, 0.1, -0.1, 0.1].map(Math.fround));
  });

  it('refuses a centre of the wrong size with a ModelError', () => {
    const saved = { state: {}, arrays: { centre: new Float32Array(4), mean: new Float32Array(3) } };
    expect(() => deepSvddKind.restore({}, saved, { width: 320, height: 176 })).toThrow(ModelError);
    expect(() => deepSvddKind.restore({}, saved, { width: 320, height: 176 })).toThrow(/8-dimensional centre/);
  });
});
