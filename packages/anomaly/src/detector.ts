/** The interface every detector of a camera's ensemble implements; registry.ts maps names to kinds. */
import type { FrameSize, ScoreMap } from '@vigil/core';
import type { Backbone } from './features/backbone.js';
import type { MemoryUse } from './features/featureMemory.js';
import type { FrameInput } from './frameInput.js';

export interface DetectorOutput {
  /** The member's raw frame score, in its own units (calibration.ts normalises it). */
  raw: number;
  /** Raw per-patch scores; the frame's score is derived from it, so `raw` = max of `map` for map detectors. */
  map: ScoreMap;
  /** False while the member has not seen enough of the camera's recent frames to judge (after a start or a seek). */
  warm?: boolean;
}

/** What a fitted member saves: small JSON state plus named Float32 arrays (written as binary files). */
export interface DetectorState {
  state: Record<string, unknown>;
  arrays: Record<string, Float32Array>;
}

export interface Detector {
  readonly name: string;
  readonly params: object;
  readonly frame: FrameSize;
  /** Pixels of the frame its map covers, from the top-left corner. */
  readonly covered: FrameSize;
  score(input: FrameInput): DetectorOutput;
  exportState(): DetectorState;
  /** The pretrained backbone its features come from, if any: callers may prefetch a batch of frames through it. */
  readonly backbone?: Backbone;
  /** Per-frame features it keeps in the frame's memory and reads back for the next frames (the live worker fetches them by this). */
  readonly memory?: MemoryUse;
}

export interface DetectorKind {
  readonly name: string;
  /**
   * How fitCameraModel gets held-out scores for calibration: 'cross-fit' (default) fits once per fold
   * plus once on all frames — right for cheap closed-form members; 'hold-out' fits once on the frames
   * outside the held-out blocks and keeps that fit — right for members that train for minutes.
   */
  readonly calibration?: 'cross-fit' | 'hold-out';
  /**
   * The cascade's tier (cascade/cascade.ts): 'cheap' members score every frame on a CPU; 'backbone'
   * (the default) members only frames the cheap tier flags plus a steady sample, unless a GPU serves.
   */
  readonly tier?: 'cheap' | 'backbone';
  fit(frames: FrameInput[], params?: Record<string, unknown>): Detector | Promise<Detector>;
  /** Rebuilds a fitted member from what `exportState` gave; throws ModelError saying what does not fit. */
  restore(params: Record<string, unknown>, saved: DetectorState, frame: FrameSize): Detector;
}
