/**
 * Cuts a byte stream of fixed-size raw frames (ffmpeg's rawvideo pipe) back into whole frames.
 * Pipes deliver chunks of any size — a frame may span several chunks and a chunk may hold several frames.
 */
export class FrameReassembler {
  private partial: Uint8Array;
  private filled = 0;

  constructor(readonly frameBytes: number) {
    if (!Number.isInteger(frameBytes) || frameBytes <= 0) {
      throw new RangeError(`frameBytes must be a positive integer, got ${frameBytes}`);
    }
    this.partial = new Uint8Array(frameBytes);
  }

  /** Bytes held towards the next, incomplete frame. */
  get pending(): number {
    return this.filled;
  }

  /** Returns the frames completed by this chunk; each is a fresh copy the caller may keep. */
  push(chunk: Uint8Array): Uint8Array[] {
    const frames: Uint8Array[] = [];
    let pos = 0;
    while (pos < chunk.length) {
      if (this.filled === 0 && chunk.length - pos >= this.frameBytes) {
        // Whole frame inside the chunk: copy it straight out (Buffer.slice would only alias the chunk).
        const frame = new Uint8Array(this.frameBytes);
        frame.set(chunk.subarray(pos, pos + this.frameBytes));
        frames.push(frame);
        pos += this.frameBytes;
        continue;
      }
      const take = Math.min(this.frameBytes - this.filled, chunk.length - pos);
      this.partial.set(chunk.subarray(pos, pos + take), this.filled);
      this.filled += take;
      pos += take;
      if (this.filled === this.frameBytes) {
        frames.push(this.partial);
        this.partial = new Uint8Array(this.frameBytes);
        this.filled = 0;
      }
    }
    return frames;
  }

  /** Drops a partial frame, e.g. when the producing process restarts mid-frame. */
  reset(): void {
    this.filled = 0;
  }
}
