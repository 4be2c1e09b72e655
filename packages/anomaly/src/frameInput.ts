import { SequenceMemory, type FeatureMemory } from './features/featureMemory.js';

/** What every detector scores: one analysed frame of a camera and, for motion, the one analysed before it. */
export interface FrameInput {
  /** Packed RGB24, row-major, `width × height × 3` bytes. */
  data: Uint8Array;
  width: number;
  height: number;
  /** The previous analysed frame of the same camera, same size; absent → motion is unknown (neutral). */
  prev?: Uint8Array;
  /**
   * The camera's long-/short-term background pair as it stood before this frame (see backgroundPair/),
   * kept by the ingest pipeline or rebuilt offline by `withBackgrounds`; absent → the member is neutral.
   */
  background?: BackgroundImages;
  /** The frame's place in its camera's (or clip's) sequence: members that pool over recent frames find them by it. */
  seq?: number;
  /** Features of recent frames of the same camera by `seq` (features/featureMemory.ts); absent → a member pools this frame alone. */
  memory?: FeatureMemory;
}

/** Packed RGB24 images at half the frame's resolution (⌊width/2⌋ × ⌊height/2⌋). */
export interface BackgroundImages {
  /** Slow, outlier-robust background (minutes): the scene without its traffic. */
  long: Uint8Array;
  /** Fast background (seconds): what has been there lately, including anything that stopped. */
  short: Uint8Array;
  /** Frames folded into the pair so far: a young pair has not settled yet. */
  age: number;
  /** The same in seconds of the camera's footage (frames over its rate); absent in pairs packed by older versions. */
  seconds?: number;
}

/**
 * Turns consecutive frames of one camera into inputs, each carrying its predecessor, its place in the
 * sequence and a memory shared by the sequence (pass one to share it wider, or keep it bounded).
 */
export function framesWithPrev(frames: Uint8Array[], width: number, height: number, memory: FeatureMemory = new SequenceMemory()): FrameInput[] {
  return frames.map((data, i) => {
    const prev = i > 0 ? frames[i - 1] : undefined;
    return prev ? { data, width, height, prev, seq: i, memory } : { data, width, height, seq: i, memory };
  });
}

/**
 * Gives frames that carry a `seq` a feature memory shared by each run of consecutive sequence numbers
 * (a new run where the numbers jump back or skip ahead): what a fitting thread does with frames that
 * crossed to it, as a memory does not survive the crossing.
 */
export function withSequenceMemory(frames: FrameInput[]): FrameInput[] {
  let memory = new SequenceMemory();
  let last: number | undefined;
  return frames.map((f) => {
    if (f.seq === undefined) {
      last = undefined;
      const { memory: _dropped, ...rest } = f;
      return rest;
    }
    if (last === undefined || f.seq !== last + 1) memory = new SequenceMemory();
    last = f.seq;
    return { ...f, memory };
  });
}
