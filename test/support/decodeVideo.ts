/** A video's frames as the live pipeline analyses them (packed RGB at `fps`, `width` wide), held in memory: for tests and benchmarks on short clips. */
import { decodeFrames } from '@vigil/video';

export interface DecodedVideo {
  frames: Uint8Array[];
  width: number;
  height: number;
}

export async function decodeVideo(file: string, fps: number, width: number, maxFrames?: number): Promise<DecodedVideo> {
  const frames: Uint8Array[] = [];
  let w = 0,
    h = 0;
  for await (const f of decodeFrames(file, { fps, width, ...(maxFrames ? { maxFrames } : {}) })) {
    frames.push(new Uint8Array(f.data));
    w = f.width;
    h = f.height;
  }
  return { frames, width: w, height: h };
}
