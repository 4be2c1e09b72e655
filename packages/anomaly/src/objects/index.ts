/**
 * Object-level anomalies as an ensemble member ("objects"): COCO objects detected by the CenterNet
 * (detect.ts), matched to the previous analysed frame's for their motion, scored by their distance to the
 * training objects of their class (model.ts) — a car where cars never are, a person on the carriageway,
 * a vehicle driving against the flow or standing where traffic moves. Its map marks the boxes of the
 * objects with their scores. Costly (one 512 × 512 detector pass per frame, and one for the previous
 * frame unless this process saw it), so it is not a default member.
 */
import { z } from 'zod';
import { ModelError, type FrameSize } from '@vigil/core';
import { initBackend } from '../backend/tfBackend.js';
import type { DetectorOutput, DetectorState } from '../detector.js';
import { BACKBONE_MODEL } from '../features/backbone.js';
import { CELL_SIZE } from '../features/patchFeatures.js';
import { evenlySpaced } from '../features/sampling.js';
import type { FrameInput } from '../frameInput.js';
import { defineMember, Member } from '../member.js';
import { detectObjects } from './detect.js';
import { defaultObjectParams, OBJECT_DIMS, ObjectBank, objectVectors, type ObjectParams, type ObjectVector } from './model.js';

export * from './model.js';
export { clearObjectDetections, detectObjects, type DetectedObject } from './detect.js';

export class ObjectsDetector extends Member<ObjectParams> {
  readonly name = 'objects';
  readonly covered: FrameSize;
  private readonly cols: number;
  private readonly rows: number;

  constructor(
    params: ObjectParams,
    frame: FrameSize,
    readonly bank: ObjectBank,
  ) {
    super(params, frame);
    this.cols = Math.max(1, Math.floor(frame.width / CELL_SIZE));
    this.rows = Math.max(1, Math.floor(frame.height / CELL_SIZE));
    this.covered = { width: this.cols * CELL_SIZE, height: this.rows * CELL_SIZE };
  }

  /** The frame's objects with their scores (for tests and tools). */
  scoreObjects(input: FrameInput): { object: ObjectVector; score: number }[] {
    return vectorsOf(input, this.params).map((object) => ({ object, score: this.bank.distance(object, this.params.unseenClass) }));
  }

  protected scoreFrame(input: FrameInput): DetectorOutput {
    const data = new Float32Array(this.cols * this.rows);
    let raw = 0;
    for (const { object, score } of this.scoreObjects(input)) {
      raw = Math.max(raw, score);
      const { x1, y1, x2, y2 } = object.box;
      const c0 = Math.max(0, Math.floor(x1 / CELL_SIZE)),
        c1 = Math.min(this.cols - 1, Math.floor(x2 / CELL_SIZE));
      const r0 = Math.max(0, Math.floor(y1 / CELL_SIZE)),
        r1 = Math.min(this.rows - 1, Math.floor(y2 / CELL_SIZE));
      for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) data[r * this.cols + c] = Math.max(data[r * this.cols + c]!, score);
    }
    return { raw, map: { cols: this.cols, rows: this.rows, data } };
  }

  exportState(): DetectorState {
    // Saved arrays must be finite: unknown motion is stored as 0 with a flag beside it.
    const vectors = Float32Array.from(this.bank.vectors, (v) => (Number.isNaN(v) ? 0 : v));
    const moving = Float32Array.from({ length: this.bank.size }, (_, k) => (Number.isNaN(this.bank.vectors[k * OBJECT_DIMS + 4]!) ? 0 : 1));
    return { state: { detector: BACKBONE_MODEL, objects: this.bank.size }, arrays: { classes: Float32Array.from(this.bank.classes), vectors, moving } };
  }
}

function vectorsOf(input: FrameInput, p: ObjectParams): ObjectVector[] {
  const { width, height } = input;
  const now = detectObjects(input.data, width, height);
  const before = input.prev ? detectObjects(input.prev, width, height) : undefined;
  return objectVectors(now, before, width, height, p);
}

export const objectsKind = defineMember({
  name: 'objects',
  // A detector pass per training frame: fit once, calibrate on held-out blocks.
  calibration: 'hold-out',
  params: {
    defaults: defaultObjectParams,
    schema: z.object({
      minScore: z.number().min(0).lt(1),
      maxMatch: z.number().positive(),
      unseenClass: z.number().positive(),
      maxTrainFrames: z.number().int().positive(),
    }),
  },
  arrays: ['classes', 'vectors', 'moving'],
  async fit(frames, p, frame) {
    await initBackend();
    const objects = evenlySpaced(frames, p.maxTrainFrames).flatMap((f) => vectorsOf(f, p));
    return new ObjectsDetector(p, frame, ObjectBank.from(objects));
  },
  restore({ classes, vectors, moving }, p, frame) {
    if (vectors.length !== classes.length * OBJECT_DIMS || moving.length !== classes.length) {
      throw new ModelError(`objects arrays disagree: ${classes.length} classes, ${vectors.length} vector values, ${moving.length} motion flags`);
    }
    const v = Float32Array.from(vectors);
    for (let k = 0; k < moving.length; k++) {
      if (moving[k] === 0) {
        v[k * OBJECT_DIMS + 4] = NaN;
        v[k * OBJECT_DIMS + 5] = NaN;
      }
    }
    return new ObjectsDetector(
      p,
      frame,
      new ObjectBank(
        Int32Array.from(classes, (c) => Math.round(c)),
        v,
      ),
    );
  },
});
