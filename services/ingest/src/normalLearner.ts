/** Collects a camera's first `learnSeconds` of analysed frames and fits its first model from them. */
import type { CameraConfig, Frame } from '@vigil/core';
import { areasOfCamera, fitCameraModelInThread, type BackgroundImages, type FrameInput } from '@vigil/anomaly';

export class NormalLearner {
  private readonly frames: FrameInput[] = [];
  private firstAt: number | undefined;
  private prev: Frame | undefined;

  constructor(private readonly camera: CameraConfig) {}

  /** Adds a frame (with the background pair as live scoring will see it); returns true once enough footage has been seen. */
  add(frame: Frame, background?: BackgroundImages): boolean {
    this.firstAt ??= frame.capturedAt;
    const sameSize = this.prev && this.prev.width === frame.width && this.prev.height === frame.height;
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

  /** Fits in a worker thread (the camera loop stays live) and saves the model as a new version under `modelsDir`. */
  fitAndSave(modelsDir: string): Promise<{ version: string; fitMs: number }> {
    return fitCameraModelInThread(this.frames, {
      cameraId: this.camera.id,
      targetFalsePositiveRate: this.camera.targetFalsePositiveRate,
      fps: this.camera.fps,
      areas: areasOfCamera(this.camera),
      ...(this.camera.members ? { members: this.camera.members } : {}),
      ...(this.camera.combine ? { combine: this.camera.combine } : {}),
    }, modelsDir);
  }
}
