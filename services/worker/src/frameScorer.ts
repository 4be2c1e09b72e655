/** Scores one queued frame: bytes from Redis → camera model → regions → alert lifecycle → snapshot. */
import type { Redis } from 'ioredis';
import type { AlertEvent, FrameJob, FrameScore, RedisKeys } from '@vigil/core';
import { extractRegions } from '@vigil/regions';
import { drawBoxes, encodeJpeg } from '@vigil/video';
import type { ModelCache } from './modelCache.js';
import type { AlertTracker } from './alertTracker.js';

const SNAPSHOT_TTL_SECONDS = 7 * 24 * 3600;

export type ScoreOutcome = { kind: 'scored'; score: FrameScore; events: AlertEvent[] } | { kind: 'expired' } | { kind: 'no-model' };

export class FrameScorer {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly models: ModelCache,
    private readonly tracker: AlertTracker,
  ) {}

  async score(job: FrameJob): Promise<ScoreOutcome> {
    const model = await this.models.get(job.cameraId);
    if (!model) return { kind: 'no-model' };
    const [data, prev] = await Promise.all([
      this.redis.getBuffer(job.key),
      job.prevKey ? this.redis.getBuffer(job.prevKey) : Promise.resolve(null),
    ]);
    if (!data) return { kind: 'expired' };
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const prevBytes = prev && prev.byteLength === data.byteLength ? new Uint8Array(prev.buffer, prev.byteOffset, prev.byteLength) : undefined;
    const result = model.score({ data: bytes, width: job.width, height: job.height, ...(prevBytes ? { prev: prevBytes } : {}) });
    const frame = { width: job.width, height: job.height };
    const regions = extractRegions(result.map, { threshold: 1, frame, coveredWidth: model.covered.width, coveredHeight: model.covered.height });
    const score: FrameScore = {
      cameraId: job.cameraId,
      seq: job.seq,
      capturedAt: job.capturedAt,
      score: result.score,
      frame,
      regions,
      members: result.members,
      modelVersion: model.manifest.version,
    };
    const events = await this.tracker.record(score);
    await this.writeSnapshots(events, bytes, job);
    return { kind: 'scored', score, events };
  }

  // At open and at each new peak, keep the analysed frame with its regions drawn.
  private async writeSnapshots(events: AlertEvent[], bytes: Uint8Array, job: FrameJob): Promise<void> {
    for (const ev of events) {
      if (ev.event === 'close') continue;
      const boxed = drawBoxes(bytes, job.width, job.height, ev.alert.regions);
      const jpeg = encodeJpeg(boxed, job.width, job.height, 85);
      await this.redis.set(this.keys.snapshot(ev.alert.id), Buffer.from(jpeg), 'EX', SNAPSHOT_TTL_SECONDS);
    }
  }
}
