/**
 * Batches the backbone tier across the frames this worker scores at once, whatever their camera: each
 * frame that needs the backbone waits a moment for others, then one execute per backbone runs them all
 * (`Backbone.prefetch`), and each frame's members read their features from its cache. On a GPU this
 * turns N small executes into one; on one CPU thread it costs at most the wait.
 */
import type { Backbone, CameraModel, FrameInput } from '@vigil/anomaly';

export interface BatcherOptions {
  /** How long the first frame of a batch waits for others (ms). */
  windowMs: number;
  /** A batch runs at once when it reaches this many frames. */
  maxBatch: number;
}

interface Waiting {
  backbones: Backbone[];
  input: FrameInput;
  done: () => void;
}

export class BackboneBatcher {
  private waiting: Waiting[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Batches run and frames in them (the mean batch size is frames / batches). */
  readonly stats = { batches: 0, frames: 0 };

  constructor(private readonly options: BatcherOptions) {}

  /** Resolves once the backbones of the named members of `model` have this frame's features cached. */
  prefetch(model: CameraModel, input: FrameInput, names: readonly string[]): Promise<void> {
    const backbones = model.backbones(names);
    if (backbones.length === 0) return Promise.resolve();
    return new Promise<void>((done) => {
      this.waiting.push({ backbones, input, done });
      if (this.waiting.length >= this.options.maxBatch) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.options.windowMs);
    });
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.waiting;
    this.waiting = [];
    const byBackbone = new Map<Backbone, FrameInput[]>();
    for (const w of batch) {
      for (const b of w.backbones) {
        const inputs = byBackbone.get(b);
        if (inputs) inputs.push(w.input);
        else byBackbone.set(b, [w.input]);
      }
    }
    try {
      for (const [backbone, inputs] of byBackbone) backbone.prefetch(inputs);
      this.stats.batches++;
      this.stats.frames += batch.length;
    } finally {
      // A failed prefetch is not fatal: each frame's members then run the backbone themselves, and report the error.
      for (const w of batch) w.done();
    }
  }
}
