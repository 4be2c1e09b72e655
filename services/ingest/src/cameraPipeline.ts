/** One camera's pipeline: live source → (learn normal when no model exists) → frames to Redis and the queue. */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { createLogger, type CameraConfig, type CameraState, type Frame, type FrameJob, type RedisKeys } from '@vigil/core';
import { CameraSource, type CameraState as SourceState, type CameraStateChange } from '@vigil/video';
import { BackgroundPair, cameraModelsDir, latestModelVersion } from '@vigil/anomaly';
import { CameraOfflineAlerts } from './cameraOffline.js';
import { FramePublisher } from './framePublisher.js';
import { NormalLearner } from './normalLearner.js';
import { PreviewPublisher } from './previewPublisher.js';

export interface PipelineDeps {
  redis: Redis;
  queue: Queue<FrameJob>;
  keys: RedisKeys;
  dataDir: string;
  maxInFlight: number;
  frameTtlSeconds: number;
  stallSeconds: number;
}

/** Frames waiting for Redis beyond this are dropped at the door, so a slow Redis cannot grow memory. */
const MAX_PENDING_FRAMES = 32;

export class CameraPipeline {
  private readonly log;
  private readonly source: CameraSource;
  private readonly publisher: FramePublisher;
  private readonly preview: PreviewPublisher;
  private learner: NormalLearner | undefined;
  /** Dense per-frame state of this camera (shared/DESIGN.md "Where state lives"): it lives here and travels with each frame. */
  private background: BackgroundPair | undefined;
  private sourceState: SourceState = 'connecting';
  private readonly offline: CameraOfflineAlerts;
  private modelVersion: string | null = null;
  private lastFrame: { width: number; height: number } | undefined;
  /** Why the source is not delivering (reconnecting only): a SourceFault and ffmpeg's words. */
  private fault: { kind: string; detail: string } | undefined;
  private chain: Promise<void> = Promise.resolve();
  private pending = 0;
  published = 0;
  dropped = 0;

  constructor(private readonly camera: CameraConfig, private readonly deps: PipelineDeps) {
    this.log = createLogger(`ingest:${camera.id}`);
    this.preview = new PreviewPublisher(deps.redis, deps.keys, camera.id);
    this.publisher = new FramePublisher(deps.redis, deps.queue, deps.keys, { maxInFlight: deps.maxInFlight, frameTtlSeconds: deps.frameTtlSeconds });
    this.offline = new CameraOfflineAlerts(deps.redis, deps.keys, camera, () => ({
      frame: this.lastFrame ?? { width: camera.width, height: 0 },
      modelVersion: this.modelVersion ?? '',
    }));
    this.source = new CameraSource({ cameraId: camera.id, url: camera.url, fps: camera.fps, width: camera.width, loop: camera.loop, stallSeconds: deps.stallSeconds });
  }

  async start(): Promise<void> {
    const { redis, keys, dataDir } = this.deps;
    await redis.sadd(keys.cameraIndex, this.camera.id);
    await redis.hset(keys.cameraStatus(this.camera.id), 'name', this.camera.name ?? this.camera.id, 'fps', String(this.camera.fps));
    let version = await redis.get(keys.modelVersion(this.camera.id));
    if (!version) {
      version = latestModelVersion(dataDir, this.camera.id) ?? null;
      if (version) await redis.set(keys.modelVersion(this.camera.id), version);
    }
    this.modelVersion = version;
    if (version) {
      this.log.info('using model', { version });
    } else {
      this.learner = new NormalLearner(this.camera);
      this.log.info('no model yet: learning normal footage', { seconds: this.camera.learnSeconds });
    }
    this.source.on('frame', (frame: Frame) => this.enqueue(frame));
    this.source.on('state', ({ state, reason, fault, at }: CameraStateChange) => {
      this.sourceState = state;
      this.fault = state === 'reconnecting' ? { kind: fault ?? 'error', detail: reason } : undefined;
      this.log.info('source state', { state, reason });
      if (state === 'live') this.offline.live(at);
      else if (state !== 'stopped') this.offline.dark(reason || state, at);
      if (state !== 'live') {
        this.publisher.resetMotion();
        this.learner?.breakRun();
      }
      void this.reportState();
    });
    await this.reportState();
    // Not yet delivering: a camera that never connects goes offline too.
    this.offline.dark('connecting');
    this.source.start();
  }

  async stop(): Promise<void> {
    await this.source.stop();
    await this.offline.stop();
    await this.chain;
    await this.deps.redis.hset(this.deps.keys.cameraStatus(this.camera.id), 'state', 'stopped').catch(() => undefined);
  }

  private state(): CameraState {
    if (this.sourceState === 'live' && this.learner) return 'learning';
    return this.sourceState;
  }

  private async reportState(): Promise<void> {
    const { kind = '', detail = '' } = this.fault ?? {};
    await this.deps.redis
      .hset(this.deps.keys.cameraStatus(this.camera.id), 'state', this.state(), 'reason', kind, 'detail', detail)
      .catch((err: unknown) => this.log.warn('cannot report state', { err }));
  }

  // Frames are handled one at a time in arrival order; the motion feature needs that order.
  private enqueue(frame: Frame): void {
    if (this.pending >= MAX_PENDING_FRAMES) {
      this.dropped++;
      void this.deps.redis.hincrby(this.deps.keys.cameraStatus(this.camera.id), 'dropped', 1).catch(() => undefined);
      return;
    }
    this.pending++;
    this.chain = this.chain
      .then(() => this.handle(frame))
      .catch((err: unknown) => this.log.error('frame not published', { seq: frame.seq, err }))
      .finally(() => {
        this.pending--;
      });
  }

  private async handle(frame: Frame): Promise<void> {
    this.lastFrame = { width: frame.width, height: frame.height };
    this.preview.offer(frame);
    if (!this.background || this.background.width !== frame.width || this.background.height !== frame.height) {
      this.background = new BackgroundPair(frame.width, frame.height, { fps: this.camera.fps });
    }
    // Every frame, learning or not, so the pair has settled by the time scoring starts.
    const background = this.background.next(frame.data);
    if (this.learner) {
      if (!this.learner.add(frame, background)) return;
      await this.finishLearning(this.learner);
      return;
    }
    const outcome = await this.publisher.publish(frame, background);
    if (outcome === 'queued') this.published++;
    else this.dropped++;
  }

  private async finishLearning(learner: NormalLearner): Promise<void> {
    const started = Date.now();
    const { version } = await learner.fitAndSave(cameraModelsDir(this.deps.dataDir, this.camera.id));
    await this.deps.redis.set(this.deps.keys.modelVersion(this.camera.id), version);
    this.modelVersion = version;
    this.learner = undefined;
    this.log.info('learned normal footage; model saved', { version, frames: learner.frameCount, fitMs: Date.now() - started });
    await this.reportState();
  }
}
