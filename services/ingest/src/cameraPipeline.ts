/**
 * One camera's pipeline: live source → frames to Redis and the queue. A camera without a model first
 * collects its learning frames and hands them to the workers (a `learn` job); until the model version
 * lands it keeps previewing and counting frames, and its state says `learning`.
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { createLogger, type CameraConfig, type CameraState, type Frame, type FrameJob, type RedisKeys } from '@vigil/core';
import { CameraSource, type CameraState as SourceState, type CameraStateChange } from '@vigil/video';
import { BackgroundPair, latestModelVersion, type LearnJob } from '@vigil/anomaly/capture';
import { CameraOfflineAlerts } from './cameraOffline.js';
import { countFrameIn, FramePublisher } from './framePublisher.js';
import { learnJobId, NormalLearner, type LearnRetry } from './normalLearner.js';
import { PreviewPublisher } from './previewPublisher.js';

export interface PipelineDeps {
  redis: Redis;
  queue: Queue<FrameJob>;
  learnQueue: Queue<LearnJob>;
  learnRetry: LearnRetry;
  keys: RedisKeys;
  dataDir: string;
  maxInFlight: number;
  frameTtlSeconds: number;
  stallSeconds: number;
}

/** Frames waiting for Redis beyond this are dropped at the door, so a slow Redis cannot grow memory. */
const MAX_PENDING_FRAMES = 32;
/** While a worker fits the camera's model, ingest looks for the new version this often. */
const MODEL_CHECK_MS = 1000;

export class CameraPipeline {
  private readonly log;
  private readonly source: CameraSource;
  private readonly publisher: FramePublisher;
  private readonly preview: PreviewPublisher;
  /** Collecting learning frames (no model yet). */
  private learner: NormalLearner | undefined;
  /** Learning frames handed off; waiting for a worker to publish the model version. */
  private awaitingModel: { checkedAt: number } | undefined;
  /** Dense per-frame state of this camera: it lives here, where every frame passes in order, and travels with each frame. */
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

  constructor(
    private readonly camera: CameraConfig,
    private readonly deps: PipelineDeps,
  ) {
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
    } else if (await this.learnJobPending()) {
      // Handed off before a restart: the workers still have it.
      this.awaitingModel = { checkedAt: 0 };
      this.log.info('no model yet: a worker is fitting it from the frames collected before', {});
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

  /** `handedOver`: another ingest process holds the camera now, and its state is that process's to say. */
  async stop(options: { handedOver?: boolean } = {}): Promise<void> {
    await this.source.stop();
    await this.offline.stop();
    await this.chain;
    if (!options.handedOver) await this.deps.redis.hset(this.deps.keys.cameraStatus(this.camera.id), 'state', 'stopped').catch(() => undefined);
  }

  private state(): CameraState {
    if (this.sourceState === 'live' && (this.learner || this.awaitingModel)) return 'learning';
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
      await this.countUnscored(frame);
      if (this.learner.add(frame, background)) await this.handOff(this.learner);
      return;
    }
    if (this.awaitingModel && !(await this.modelLanded())) {
      await this.countUnscored(frame);
      return;
    }
    const outcome = await this.publisher.publish(frame, background);
    if (outcome === 'queued') this.published++;
    else this.dropped++;
  }

  /** A frame that is not queued for scoring (the camera has no model yet) still counts as delivered. */
  private async countUnscored(frame: Frame): Promise<void> {
    await countFrameIn(this.deps.redis.multi(), this.deps.keys, frame).exec();
  }

  private async learnJobPending(): Promise<boolean> {
    const job = await this.deps.learnQueue.getJob(learnJobId(this.camera.id));
    if (!job) return false;
    const state = await job.getState();
    return state === 'waiting' || state === 'active' || state === 'delayed' || state === 'prioritized' || state === 'waiting-children';
  }

  private async handOff(learner: NormalLearner): Promise<void> {
    this.learner = undefined;
    this.awaitingModel = { checkedAt: Date.now() };
    try {
      await learner.handOff(this.deps.dataDir, this.deps.learnQueue, this.deps.learnRetry);
      const status = this.deps.keys.cameraStatus(this.camera.id);
      await this.deps.redis.multi().hset(status, 'learnState', 'queued', 'learnAttempts', '0').hdel(status, 'learnError').exec();
      this.log.info('learning frames handed to the workers', { frames: learner.frameCount });
    } catch (err) {
      // Not looped: the camera stays learning, and says why.
      this.log.error('cannot hand the learning frames to the workers', { err });
      await this.deps.redis.hset(this.deps.keys.cameraStatus(this.camera.id), 'learnState', 'failed', 'learnError', `cannot queue the fit: ${(err as Error).message}`).catch(() => undefined);
    }
  }

  /** Whether the model version a worker fitted has landed (looked for at most once a MODEL_CHECK_MS). */
  private async modelLanded(): Promise<boolean> {
    const now = Date.now();
    if (now - this.awaitingModel!.checkedAt < MODEL_CHECK_MS) return false;
    this.awaitingModel!.checkedAt = now;
    const version = await this.deps.redis.get(this.deps.keys.modelVersion(this.camera.id));
    if (!version) return false;
    this.modelVersion = version;
    this.awaitingModel = undefined;
    this.log.info('model fitted by a worker; scoring starts', { version });
    await this.reportState();
    return true;
  }
}
