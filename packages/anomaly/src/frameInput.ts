/** What every detector scores: one analysed frame of a camera and, for motion, the one analysed before it. */
export interface FrameInput {
  /** Packed RGB24, row-major, `width × height × 3` bytes. */
  data: Uint8Array;
  width: number;
  height: number;
  /** The previous analysed frame of the same camera, same size; absent → motion is unknown (neutral). */
  prev?: Uint8Array;
}

/** Turns consecutive frames of one camera into inputs, each carrying its predecessor. */
export function framesWithPrev(frames: Uint8Array[], width: number, height: number): FrameInput[] {
  return frames.map((data, i) => {
    const prev = i > 0 ? frames[i - 1] : undefined;
    return prev ? { data, width, height, prev } : { data, width, height };
  });
}
