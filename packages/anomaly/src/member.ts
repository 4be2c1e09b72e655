/**
 * Defining an ensemble member: `defineMember({ name, tier, params: { defaults, schema }, arrays, fit, restore })`
 * gives the registry its DetectorKind, and `Member` is the base of its fitted class. The base does what
 * every member needs and none should write again: params merged over the defaults and checked with a zod
 * schema (one error naming the key), training frames present and of one size, the frame size checked on
 * every score, the saved arrays present (and their lengths, with `expectLength`), and any other error of
 * a restore turned into a ModelError naming the member and the frame.
 *
 * Adding a detector is one folder (its model, its fit, a `defineMember` in its index.ts) and one line
 * in registry.ts; docs/detectors.md shows an example.
 */
import type { z } from 'zod';
import { ModelError, type FrameSize } from '@vigil/core';
import type { Detector, DetectorKind, DetectorOutput, DetectorState } from './detector.js';
import type { FrameInput } from './frameInput.js';

/** The base of a fitted member: its name, params and frame, and the frame-size check before each score. */
export abstract class Member<P extends object> implements Detector {
  abstract readonly name: string;
  abstract readonly covered: FrameSize;

  constructor(
    readonly params: P,
    readonly frame: FrameSize,
  ) {}

  score(input: FrameInput): DetectorOutput {
    if (input.width !== this.frame.width || input.height !== this.frame.height) {
      throw new RangeError(`${this.name}: frame is ${input.width}x${input.height}, expected ${this.frame.width}x${this.frame.height}`);
    }
    return this.scoreFrame(input);
  }

  /** Scores a frame already known to be of the fitted size. */
  protected abstract scoreFrame(input: FrameInput): DetectorOutput;

  abstract exportState(): DetectorState;
}

export interface MemberSpec<P extends object, D extends Detector, A extends string> {
  name: string;
  /** See DetectorKind.tier (default 'backbone'). */
  tier?: 'cheap' | 'backbone';
  /** See DetectorKind.calibration (default 'cross-fit'). */
  calibration?: 'cross-fit' | 'hold-out';
  /**
   * Every param with its default (a given key not there is an error), and the schema that checks a whole
   * set of params (the defaults with the given ones over them).
   */
  params: { defaults: P; schema: z.ZodType<P> };
  /** Fewest training frames it can fit on (default 1). */
  minFrames?: number;
  /** The arrays `restore` reads; they must all have been saved. */
  arrays: readonly A[];
  fit(frames: FrameInput[], params: P, frame: FrameSize): D | Promise<D>;
  restore(arrays: Record<A, Float32Array> & Record<string, Float32Array>, params: P, frame: FrameSize, saved: DetectorState): D;
}

export function defineMember<P extends object, D extends Detector, A extends string>(spec: MemberSpec<P, D, A>): DetectorKind {
  const { name } = spec;
  const resolve = (given?: Record<string, unknown>): P => {
    const { defaults, schema } = spec.params;
    const unknown = Object.keys(given ?? {}).filter((k) => !(k in defaults));
    if (unknown.length > 0) throw new ModelError(`unknown ${name} params: ${unknown.join(', ')} (known: ${Object.keys(defaults).join(', ')})`);
    const checked = schema.safeParse({ ...defaults, ...(given ?? {}) });
    if (!checked.success) {
      const issue = checked.error.issues[0]!;
      const key = issue.path.join('.');
      throw new ModelError(`invalid ${name} params: ${key ? `${key}: ` : ''}${issue.message} (given ${JSON.stringify(given)})`);
    }
    return checked.data;
  };
  return {
    name,
    ...(spec.tier ? { tier: spec.tier } : {}),
    ...(spec.calibration ? { calibration: spec.calibration } : {}),
    // Params and frames are checked before any work, and synchronously: a bad call throws at once.
    fit(frames: FrameInput[], params?: Record<string, unknown>) {
      const p = resolve(params);
      const first = frames[0];
      const least = spec.minFrames ?? 1;
      if (!first || frames.length < least) throw new ModelError(`${name} needs at least ${least} training frame${least > 1 ? 's' : ''}, got ${frames.length}`);
      const frame = { width: first.width, height: first.height };
      const other = frames.find((f) => f.width !== frame.width || f.height !== frame.height);
      if (other) throw new ModelError(`${name}: training frames differ in size: ${frame.width}x${frame.height} and ${other.width}x${other.height}`);
      return spec.fit(frames, p, frame);
    },
    restore(params: Record<string, unknown>, saved: DetectorState, frame: FrameSize): Detector {
      const p = resolve(params);
      const missing = spec.arrays.filter((a) => !saved.arrays[a]);
      if (missing.length > 0) throw new ModelError(`${name} state lacks its ${missing.join(', ')} array${missing.length > 1 ? 's' : ''}`);
      try {
        return spec.restore(saved.arrays as Record<A, Float32Array> & Record<string, Float32Array>, p, frame, saved);
      } catch (err) {
        if (err instanceof ModelError) throw err;
        throw new ModelError(`${name} state does not fit a ${frame.width}x${frame.height} frame: ${(err as Error).message}`);
      }
    },
  };
}

/** Throws a ModelError unless `array` holds `expected` values. */
export function expectLength(member: string, what: string, array: Float32Array, expected: number, frame: FrameSize): void {
  if (array.length !== expected) throw new ModelError(`${member} ${what} does not match a ${frame.width}x${frame.height} frame: expected ${expected} values, found ${array.length}`);
}

/** Throws a ModelError unless every value of `array` is positive (a scale or a level). */
export function expectPositive(member: string, what: string, array: Float32Array): void {
  if (array.some((v) => !(v > 0))) throw new ModelError(`${member} ${what} holds a non-positive value`);
}
