/** Scores one queued frame: bytes and feature memory from Redis → the frame path (@vigil/anomaly's scoreFrame: cascade, evidence in Redis, regions) → alert lifecycle → alert images on disk. */
import type { Redis } from 'ioredis';
import { BoundedMap, createLogger, type AlertEvent, type FrameJob, type FrameScore, type RedisKeys } from '@vigil/core';
import { DEFAULT_CASCADE, escalates, planCascade, scoreFrame, unpackBackground, type CameraScore, type CascadeSettings } from '@vigil/anomaly';
import { unpackYuv420, yuv420Bytes } from '@vigil/video';
import type { BackboneBatcher } from './backboneBatcher.js';
import type { ModelCache } from './modelCache.js';
import type { AlertTracker } from './alertTracker.js';
import { writeAlertFiles } from './alertSnapshots.js';
import { CameraEvidence } from './cameraEvidence.js';
import { loadFrameMemory } from './frameMemory.js';

const log = createLogger('worker:snapshots');

/** How the cascade runs here: the backend in use (a GPU runs every tier on every frame) and each camera's settings. */
export interface CascadeWiring {
  backend?: string;
  settingsFor?: (cameraId: string) => Partial<CascadeSettings> | undefined;
  /** Batches the backbone tier across frames scored at once; without it each frame runs the backbone alone. */
  batcher?: BackboneBatcher;
}

/** Default life of a frame's features in Redis: as long as ingest keeps the frame's bytes. */
const DEFAULT_FRAME_TTL_SECONDS = 20;

export type ScoreOutcome = { kind: 'scored'; score: FrameScore; events: AlertEvent[] } | { kind: 'expired' } | { kind: 'no-model' };

export class FrameScorer {
  private readonly evidence: CameraEvidence;
  /**
   * Frames scored here lately, rgb24 by frame key: a next frame's predecessor is usually among them, and frames
   * under a key never change, so it is not read again (fewer bytes read, and flowHistogram reuses its pyramid).
   */
  private readonly recent = new BoundedMap<string, Uint8Array>(32);
  /** Predecessors found in `recent` and read from Redis (tests check the reuse). */
  readonly prevReads = { reused: 0, read: 0 };

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly models: ModelCache,
    private readonly tracker: AlertTracker,
    /** Alert images go under `alertFilesDir(dataDir, alertId)`. */
    private readonly dataDir: string,
    private readonly cascade: CascadeWiring = {},
    private readonly frameTtlSeconds = DEFAULT_FRAME_TTL_SECONDS,
  ) {
    this.evidence = new CameraEvidence(redis, keys);
  }

  async score(job: FrameJob): Promise<ScoreOutcome> {
    const model = await this.models.get(job.cameraId);
    if (!model) return { kind: 'no-model' };
    const escalationKey = this.keys.cascadeEscalated(job.cameraId);
    const known = job.prevKey ? this.recent.get(job.prevKey) : undefined;
    const [data, prev, bg, escalated, stored] = await Promise.all([
      this.redis.getBuffer(job.key),
      job.prevKey && !known ? this.redis.getBuffer(job.prevKey) : Promise.resolve(null),
      job.bgKey ? this.redis.getBuffer(job.bgKey) : Promise.resolve(null),
      this.redis.exists(escalationKey),
      loadFrameMemory(this.redis, this.keys, job.cameraId, job.seq, model.memoryUses(), this.frameTtlSeconds),
    ]);
    if (!data) return { kind: 'expired' };
    const bytes = rgbOf(data, job, job.key);
    this.recent.set(job.key, bytes);
    if (known) this.prevReads.reused++;
    else if (job.prevKey) this.prevReads.read++;
    // A predecessor of another size (the camera's stream changed) is no predecessor.
    const prevBytes = known?.byteLength === bytes.byteLength ? known : prev && prev.byteLength === data.byteLength ? rgbOf(prev, job, job.prevKey!) : undefined;
    // The background pair was kept by ingest (workers hold no per-camera state); expired or absent → that member is neutral.
    const background = bg ? unpackBackground(new Uint8Array(bg.buffer, bg.byteOffset, bg.byteLength), job.width, job.height) : undefined;
    const input = {
      data: bytes,
      width: job.width,
      height: job.height,
      seq: job.seq,
      memory: stored.memory,
      ...(prevBytes ? { prev: prevBytes } : {}),
      ...(background ? { background } : {}),
    };
    const settings = this.cascade.settingsFor?.(job.cameraId);
    let saving: Promise<unknown> = Promise.resolve();
    const cameraEvidence = { fold: (m: typeof model, instant: CameraScore, atMs: number, gated: boolean) => this.evidence.fold(job.cameraId, m, instant, atMs, gated) };
    const scored = await scoreFrame(
      model,
      input,
      { cameraId: job.cameraId, seq: job.seq, capturedAt: job.capturedAt, frame: { width: job.width, height: job.height } },
      async (frame) => {
        const plan = planCascade(model, frame, { seq: job.seq, backend: this.cascade.backend ?? 'cpu', escalated: escalated === 1, ...(settings ? { settings } : {}) });
        if (!plan.done && this.cascade.batcher) await this.cascade.batcher.prefetch(model, frame, plan.names);
        const result = plan.done ?? plan.finish();
        // This frame's features for the camera's next frames, saved while its score is folded into the evidence.
        saving = stored.save();
        return result;
      },
      cameraEvidence,
    );
    await saving;
    if (escalates(scored.instant, settings)) {
      // Shared by every worker: the camera's next frames get the backbone tier until this expires.
      const ms = Math.round(1000 * (settings?.escalateSeconds ?? DEFAULT_CASCADE.escalateSeconds));
      await this.redis.set(escalationKey, String(job.seq), 'PX', ms);
    }
    const { score, accumulated } = scored;
    const { events, showing } = await this.tracker.decide(score);
    // Images of the alerts this frame opened or peaked, keyed by alert id, written after the decision:
    // no camera's commit waits for JPEG encoding (the gateway waits a moment for a new alert's images).
    await Promise.all(
      showing.map((alertId) =>
        writeAlertFiles(this.dataDir, alertId, { score, data: bytes, map: accumulated.map, covered: model.covered }).catch((err: unknown) =>
          // An alert without its images beats no alert: log and go on.
          log.error('cannot write alert images', { alert: alertId, err: err instanceof Error ? err.message : String(err) }),
        ),
      ),
    );
    return { kind: 'scored', score, events };
  }
}

/** A frame's bytes from Redis as rgb24: unpacked when ingest wrote YUV 4:2:0; one line naming the frame when the size is wrong. */
function rgbOf(stored: Buffer, job: FrameJob, key: string): Uint8Array {
  const bytes = new Uint8Array(stored.buffer, stored.byteOffset, stored.byteLength);
  const { width, height } = job;
  const expected = job.encoding === 'yuv420' ? yuv420Bytes(width, height) : width * height * 3;
  if (bytes.byteLength !== expected) throw new Error(`frame ${key} has ${bytes.byteLength} bytes, expected ${expected} (${width}x${height} ${job.encoding ?? 'rgb24'})`);
  return job.encoding === 'yuv420' ? unpackYuv420(bytes, width, height) : bytes;
}
