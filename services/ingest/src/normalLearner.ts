/**
 * Collects a camera's first `learnSeconds` of analysed frames and hands them to the workers: the frames
 * go to the data directory and a `learn` job onto the learn queue. Ingest never fits a model: the camera
 * keeps streaming and previewing while a worker fits it.
 */
import type { Queue } from 'bullmq';
import { learningDir, type CameraConfig, type Frame } from '@vigil/core';
import { areasOfCamera, writeLearningFrames, type BackgroundImages, type FrameInput, type LearnJob } from '@vigil/anomaly/capture';

export interface LearnRetry {
  attempts: number;
  backoffSeconds: number;
}

/** One learn job per camera at a time, under this id (a BullMQ job id: no colon). */
export function learnJobId(cameraId: string): string {
  return `learn-${cameraId}`;
}

export class NormalLearner {
  private readonly frames: FrameInput[] = [];
  private firstAt: number | undefined;
  private prev: Frame | undefined;

  constructor(private readonly camera: CameraConfig) {}

  /** Adds a frame (with the background pair as live scoring will see it); returns true once enough footage has been seen. */
  add(frame: Frame, background?: BackgroundImages): boolean {
    this.firstAt ??= frame.capturedAt;
    const sameSize = this.prev && this.prev.width === frame.width && this.prev.height === frame.height;
    // A frame of another size (the source changed its resolution) starts the collection over.
    if (this.prev && !sameSize) {
      this.frames.length = 0;
      this.firstAt = frame.capturedAt;
    }
    this.frames.push({
      data: frame.data,
      width: frame.width,
      height: frame.height,
      seq: frame.seq,
      ...(sameSize ? { prev: this.prev!.data } : {}),
      ...(background ? { background } : {}),
    });
    this.prev = frame;
    return frame.capturedAt - this.firstAt >= this.camera.learnSeconds * 1000;
  }

  get frameCount(): number {
    return this.frames.length;
  }

  /** Motion features need consecutive frames: a reconnect starts a new run. */
  breakRun(): void {
    this.prev = undefined;
  }

  /** Writes the frames where workers read them and queues the camera's learn job (replacing a finished one). */
  async handOff(dataDir: string, queue: Queue<LearnJob>, retry: LearnRetry): Promise<void> {
    const { camera } = this;
    await writeLearningFrames(learningDir(dataDir, camera.id), camera.id, this.frames);
    const id = learnJobId(camera.id);
    const earlier = await queue.getJob(id);
    // A failed run is kept (it is how the failure is reported) until a new run replaces it.
    if (earlier && ((await earlier.isFailed()) || (await earlier.isCompleted()))) await earlier.remove();
    const job: LearnJob = {
      cameraId: camera.id,
      queuedAt: Date.now(),
      options: {
        cameraId: camera.id,
        targetFalsePositiveRate: camera.targetFalsePositiveRate,
        fps: camera.fps,
        areas: areasOfCamera(camera),
        ...(camera.members ? { members: camera.members } : {}),
        ...(camera.combine ? { combine: camera.combine } : {}),
      },
    };
    await queue.add('learn', job, {
      jobId: id,
      attempts: retry.attempts,
      backoff: { type: 'exponential', delay: Math.round(retry.backoffSeconds * 1000) },
      removeOnComplete: true,
      removeOnFail: false,
    });
  }
}
