/**
 * Fitting FlowHistogram: every training frame's pooled descriptors, in order (so each frame finds its
 * predecessors in memory), and per cell a seeded uniform sample (reservoir) of its moving descriptors.
 * Still descriptors are left out: stillness scores 0 everywhere by construction.
 */
import { ModelError } from '@vigil/core';
import { seededRandom } from '../features/gaussian.js';
import type { FrameInput } from '../frameInput.js';
import { DESCRIPTOR, FlowDescriptors, MOVING, LocationBank, type FlowHistogramParams } from './model.js';

/** Fewer frames with motion known than this and there is nothing to learn from. */
export const MIN_FLOW_FRAMES = 10;

/** `frames`: some, of one size (defineMember checks them before any member's fit). */
export function fitLocationBank(frames: FrameInput[], params: FlowHistogramParams): LocationBank {
  const { width, height } = frames[0]!;
  const descriptors = new FlowDescriptors(params, width, height);
  const { cells } = descriptors;
  const reservoirs = Array.from({ length: cells }, () => [] as Float32Array[]);
  const seen = new Float64Array(cells);
  const rand = seededRandom(params.seed);
  const pooled = new Float32Array(cells * DESCRIPTOR);
  let described = 0;
  for (const input of frames) {
    if (descriptors.pooled(input, pooled) === 0) continue;
    described++;
    for (let c = 0; c < cells; c++) {
      const o = c * DESCRIPTOR;
      if (pooled[o + MOVING] === 0) continue;
      const n = ++seen[c]!;
      const reservoir = reservoirs[c]!;
      if (reservoir.length < params.perCell) reservoir.push(pooled.slice(o, o + DESCRIPTOR));
      else {
        const j = Math.floor(rand() * n);
        if (j < params.perCell) reservoir[j] = pooled.slice(o, o + DESCRIPTOR);
      }
    }
  }
  if (described < MIN_FLOW_FRAMES) throw new ModelError(`flowHistogram needs at least ${MIN_FLOW_FRAMES} frames with a predecessor to fit, got ${described}`);
  const offsets = new Float32Array(cells + 1);
  for (let c = 0; c < cells; c++) offsets[c + 1] = offsets[c]! + reservoirs[c]!.length;
  const entries = new Float32Array(offsets[cells]! * DESCRIPTOR);
  reservoirs.forEach((r, c) => r.forEach((e, j) => entries.set(e, (offsets[c]! + j) * DESCRIPTOR)));
  return new LocationBank(descriptors.grid, entries, offsets);
}
