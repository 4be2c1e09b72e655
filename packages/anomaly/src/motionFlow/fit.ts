/**
 * Fitting MotionFlow: the flow of every consecutive training pair is tallied per cell, then pooled
 * (model.ts). Flow fields are cached per frame, because cross-fitted calibration fits and scores each
 * training pair several times and the flow of a pair never changes.
 */
import { ModelError } from '@vigil/core';
import type { FrameInput } from '../frameInput.js';
import { BlockFlow, type FlowField } from './flow.js';
import { FlowTally, poolDensity, type FlowDensity, type MotionFlowParams } from './model.js';

/** Fewer consecutive pairs than this and there is no traffic to learn from. */
export const MIN_FLOW_PAIRS = 10;

interface Cached {
  prev: Uint8Array;
  key: string;
  field: FlowField;
}
const cache = new WeakMap<Uint8Array, Cached>();

function flowKey(params: MotionFlowParams, width: number, height: number): string {
  return `${width}x${height}:${params.cell}:${params.changeThreshold}:${params.searchRadius}:${params.maxMatchRatio}:${params.minAgreeing}`;
}

/** The flow of `input` against its `prev`, from the cache when this pair was measured before with the same params. */
export function cachedFlow(input: FrameInput & { prev: Uint8Array }, params: MotionFlowParams, flow: BlockFlow): FlowField {
  const key = flowKey(params, input.width, input.height);
  const hit = cache.get(input.data);
  if (hit && hit.prev === input.prev && hit.key === key) return hit.field;
  const field = flow.estimate(input.data, input.prev);
  cache.set(input.data, { prev: input.prev, key, field });
  return field;
}

/** Looks up a cached field without computing one (scoring computes into its own buffer instead). */
export function peekFlow(input: FrameInput & { prev: Uint8Array }, params: MotionFlowParams): FlowField | undefined {
  const hit = cache.get(input.data);
  return hit && hit.prev === input.prev && hit.key === flowKey(params, input.width, input.height) ? hit.field : undefined;
}

/** `frames`: of one size (defineMember checks them before any member's fit). */
export function fitFlowDensity(frames: FrameInput[], params: MotionFlowParams): FlowDensity {
  const pairs = frames.filter((f): f is FrameInput & { prev: Uint8Array } => f.prev !== undefined);
  if (pairs.length < MIN_FLOW_PAIRS) throw new ModelError(`motionFlow needs at least ${MIN_FLOW_PAIRS} consecutive frame pairs to fit, got ${pairs.length}`);
  const { width, height } = pairs[0]!;
  const flow = new BlockFlow(width, height, params);
  const tally = new FlowTally(flow.cols, flow.rows, params.bins);
  for (const input of pairs) {
    tally.add(cachedFlow(input, params, flow));
  }
  return poolDensity(tally, params);
}
