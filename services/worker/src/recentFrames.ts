/**
 * The bytes of the frames this worker scored last, by frame key: a camera's next frame names its
 * predecessor's key, and when this worker scored that frame the bytes need not cross the network again
 * (frames under a key never change). Bounded by count, oldest first out; a miss just reads Redis.
 */
export class RecentFrames {
  private readonly frames = new Map<string, Uint8Array>();

  constructor(private readonly capacity = 32) {
    if (!(Number.isInteger(capacity) && capacity >= 0)) throw new RangeError(`recent frames capacity must be a whole number ≥ 0, got ${capacity}`);
  }

  get(key: string): Uint8Array | undefined {
    return this.frames.get(key);
  }

  remember(key: string, bytes: Uint8Array): void {
    if (this.capacity === 0) return;
    this.frames.delete(key);
    this.frames.set(key, bytes);
    while (this.frames.size > this.capacity) this.frames.delete(this.frames.keys().next().value!);
  }

  get size(): number {
    return this.frames.size;
  }
}
