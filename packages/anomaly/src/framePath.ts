/**
 * The one frame path: a frame (with its predecessor and background pair) → its instant score (the
 * cascade, or every member) → its camera's temporal evidence → the accumulated score, its regions, and
 * the FrameScore the alert lifecycle decides on. The live worker, `vigil review` and `vigil eval` all
 * score frames through `scoreFrame`; they differ only in where the evidence lives (Redis, shared by
 * workers; or memory, for one file or clip) and in how the instant score is had (the worker prefetches
 * backbone features in batches).
 */
import type { FrameScore, FrameSize } from '@vigil/core';
import { frameRegions } from '@vigil/alerts';
import type { CameraModel, CameraScore } from './cameraModel.js';
import type { FrameInput } from './frameInput.js';
import type { EvidenceState } from './temporal/evidence.js';

/** Where a camera's evidence lives: folds a frame's instant score in and answers with the accumulated one. */
export interface EvidenceStore {
  fold(model: CameraModel, instant: CameraScore, atMs: number, gated: boolean): Promise<CameraScore> | CameraScore;
}

/** Evidence of one camera in memory (a review of one file, an eval of one clip). */
export class MemoryEvidence implements EvidenceStore {
  state: EvidenceState | undefined;

  fold(model: CameraModel, instant: CameraScore, atMs: number, gated: boolean): CameraScore {
    const accumulated = model.accumulate(instant, this.state, atMs, { gated });
    this.state = accumulated.state;
    return accumulated.score;
  }
}

export interface FrameInfo {
  cameraId: string;
  seq: number;
  /** Capture time, ms: the evidence's clock. */
  capturedAt: number;
  frame: FrameSize;
}

/** An instant score: the members' (or the cascade's, which also says whether the frame was gated). */
export type InstantScore = CameraScore & { gated?: boolean };

export interface ScoredFrame<I extends InstantScore = InstantScore> {
  /** Before the temporal stage (what the members said of this frame alone). */
  instant: I;
  /** After it: what regions and alerts are decided on. */
  accumulated: CameraScore;
  /** What the alert lifecycle gets. */
  score: FrameScore;
}

/**
 * Scores one frame: `instant` gives its instant score (a cascade, or `model.score`), `evidence` folds it
 * into the camera's evidence. A gated frame (a whole-frame change) is scored but not folded in.
 */
export async function scoreFrame<I extends InstantScore>(
  model: CameraModel,
  input: FrameInput,
  info: FrameInfo,
  instant: (input: FrameInput) => I | Promise<I>,
  evidence: EvidenceStore,
): Promise<ScoredFrame<I>> {
  const now = await instant(input);
  const gated = now.gated === true;
  const accumulated = await evidence.fold(model, now, info.capturedAt, gated);
  const regions = frameRegions(accumulated.map, accumulated.score, { frame: info.frame, coveredWidth: model.covered.width, coveredHeight: model.covered.height });
  const score: FrameScore = {
    cameraId: info.cameraId,
    seq: info.seq,
    capturedAt: info.capturedAt,
    score: accumulated.score,
    frame: info.frame,
    regions,
    members: now.members,
    modelVersion: model.manifest.version,
    ...(gated ? { gated: true } : {}),
    ...(now.warm ? {} : { warming: true }),
    ...(accumulated.held ? { held: true } : {}),
  };
  return { instant: now, accumulated, score };
}
