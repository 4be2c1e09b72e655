/**
 * Per-frame features that members keep for the frames after them, by sequence number: a member that
 * pools motion over the last few frames computes each frame's features once and reads its
 * predecessors' back. Offline paths (train, review, eval) keep them in a SequenceMemory per clip; the
 * live worker reads a camera's recent entries from Redis before scoring and writes the new one after
 * (workers hold no per-camera state; a camera's dense state lives in ingest or in Redis). An entry that is missing —
 * a frame dropped, or still being scored by another worker — is simply left out of the pool.
 */

export interface FeatureMemory {
  get(key: string, seq: number): Uint8Array | undefined;
  set(key: string, seq: number, value: Uint8Array): void;
}

/** What a member keeps: under which key, and how many frames back (this one included) it reads. */
export interface MemoryUse {
  key: string;
  frames: number;
}

/** In-process memory of one camera or clip; keeps at most `capacity` entries per key (the oldest sequence numbers go first). */
export class SequenceMemory implements FeatureMemory {
  private readonly entries = new Map<string, Map<number, Uint8Array>>();

  constructor(private readonly capacity = Infinity) {}

  get(key: string, seq: number): Uint8Array | undefined {
    return this.entries.get(key)?.get(seq);
  }

  set(key: string, seq: number, value: Uint8Array): void {
    let byKey = this.entries.get(key);
    if (!byKey) this.entries.set(key, (byKey = new Map()));
    byKey.set(seq, value);
    if (byKey.size > this.capacity) {
      let oldest = Infinity;
      for (const s of byKey.keys()) if (s < oldest) oldest = s;
      byKey.delete(oldest);
    }
  }
}
