/**
 * A frame's feature memory (@vigil/anomaly's FeatureMemory) backed by Redis: the entries its model's
 * members read (the camera's previous frames' features) are fetched in one round trip before scoring,
 * and what the members kept for this frame is written after, with the frame's own TTL. An entry another
 * worker has not written yet is simply absent: the member pools what there is.
 */
import type { Redis } from 'ioredis';
import type { RedisKeys } from '@vigil/core';
import { SequenceMemory, type MemoryUse } from '@vigil/anomaly';

export interface LoadedMemory {
  memory: SequenceMemory;
  /** Writes the entries kept for `seq` (call after scoring). */
  save(): Promise<void>;
}

export async function loadFrameMemory(redis: Redis, keys: RedisKeys, cameraId: string, seq: number, uses: MemoryUse[], ttlSeconds: number): Promise<LoadedMemory> {
  const memory = new SequenceMemory();
  const wanted = uses.flatMap((u) => Array.from({ length: Math.max(0, u.frames - 1) }, (_, k) => ({ key: u.key, seq: seq - 1 - k }))).filter((w) => w.seq >= 0);
  if (wanted.length > 0) {
    const values = await redis.mgetBuffer(...wanted.map((w) => keys.frameFeatures(cameraId, w.key, w.seq)));
    values.forEach((v, i) => {
      if (v) memory.set(wanted[i]!.key, wanted[i]!.seq, new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    });
  }
  return {
    memory,
    async save() {
      const multi = redis.multi();
      let n = 0;
      for (const u of uses) {
        const value = memory.get(u.key, seq);
        if (!value) continue;
        multi.set(keys.frameFeatures(cameraId, u.key, seq), Buffer.from(value.buffer, value.byteOffset, value.byteLength), 'EX', ttlSeconds);
        n++;
      }
      if (n > 0) await multi.exec();
    },
  };
}
