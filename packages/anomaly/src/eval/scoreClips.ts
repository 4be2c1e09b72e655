/**
 * Scoring test clips as the live worker would: each frame with its predecessor, the background pair and
 * the feature memory of its own clip, the camera model, the temporal stage (fresh for each clip, as each
 * is its own recording), and the CPU cascade beside it. Runs in the eval's own thread or in scoring
 * threads (scoreThread.ts), one share of the clips each.
 */
import type { FrameSize, ScoreMap } from '@vigil/core';
import { withBackgrounds } from '../backgroundPair/pair.js';
import { memberTiers, SequentialCascade } from '../cascade/cascade.js';
import type { CameraModel } from '../cameraModel.js';
import { framesWithPrev, type FrameInput } from '../frameInput.js';
import { MemoryEvidence, scoreFrame } from '../framePath.js';
import { memberModels } from './memberModels.js';
import { PixelAucAccumulator } from './metrics.js';
import { decodeClipFrames, decodeClipMasks, type DatasetTestClip } from './ucsdDataset.js';

export interface ClipScores {
  clip: string;
  labels: boolean[];
  /** After the temporal stage: what decides regions and alerts. */
  scores: number[];
  /** Before it: each frame on its own. */
  instant: number[];
  members: Record<string, number[]>;
  /** The CPU cascade's accumulated scores (empty for a one-tier model). */
  cascade: number[];
  backboneRan: number;
  scoreMs: number;
}

export interface PixelCounts {
  positives: Float64Array;
  negatives: Float64Array;
}

export interface ScoredShare {
  clips: ClipScores[];
  /** Pixel histograms (clips with masks): the ensemble, its cascade, each member alone. */
  pixel: PixelCounts;
  cascadePixel: PixelCounts;
  memberPixel: Record<string, PixelCounts>;
}

/**
 * A clip's frames as the live pipeline hands them to the model: each with its predecessor, the camera's
 * background pair as it stood before it, its place in the clip and the clip's feature memory.
 */
export function clipInputs(frames: Uint8Array[], size: FrameSize, fps: number): FrameInput[] {
  return withBackgrounds(framesWithPrev(frames, size.width, size.height), { fps });
}

/** `memberPixels`: also score each member alone on the clips with masks, for its pixel AUROC (a second pass). */
export async function scoreClips(model: CameraModel, clips: DatasetTestClip[], size: FrameSize, fps: number, memberPixels: boolean, onFrame: () => void): Promise<ScoredShare> {
  const memberNames = model.manifest.members.map((m) => m.name);
  const singles = memberPixels && memberNames.length > 1 && clips.some((c) => c.maskFiles) ? await memberModels(model) : new Map<string, CameraModel>();
  const tiers = memberTiers(model);
  const twoTiers = tiers.cheap.length > 0 && tiers.backbone.length > 0;
  const pixel = new PixelAucAccumulator(),
    cascadePixel = new PixelAucAccumulator();
  const memberPixel = new Map([...singles.keys()].map((n) => [n, new PixelAucAccumulator()]));
  const out: ClipScores[] = [];
  const interval = 1000 / fps;
  for (const clip of clips) {
    const cascade = twoTiers ? new SequentialCascade(model, { backend: 'cpu', fps, gating: false }) : undefined;
    const inputs = clipInputs(await decodeClipFrames(clip, size), size, fps);
    const masks = await decodeClipMasks(clip, size);
    const result: ClipScores = {
      clip: clip.name,
      labels: clip.labels.slice(0, inputs.length),
      scores: [],
      instant: [],
      members: Object.fromEntries(memberNames.map((n) => [n, []])),
      cascade: [],
      backboneRan: 0,
      scoreMs: 0,
    };
    // The worker's frame path, with each clip's evidence in memory: every member on every frame, and
    // (when the model has two tiers) the cascade the worker would run beside it.
    const evidence = new MemoryEvidence(),
      cascadeEvidence = new MemoryEvidence();
    for (let i = 0; i < inputs.length; i++) {
      const input = inputs[i]!;
      const info = { cameraId: model.manifest.cameraId, seq: i, capturedAt: i * interval, frame: size };
      const start = performance.now();
      const { instant, accumulated } = await scoreFrame(model, input, info, (frame) => model.score(frame), evidence);
      result.scoreMs += performance.now() - start;
      result.scores.push(accumulated.score);
      result.instant.push(instant.score);
      for (const name of memberNames) result.members[name]!.push(instant.members[name] ?? NaN);
      // Right after the full score, so the backbone's features of this frame are reused.
      let cascadeMap: ScoreMap | undefined;
      if (cascade) {
        const c = await scoreFrame(model, input, info, (frame) => cascade.score(frame, i), cascadeEvidence);
        cascadeMap = c.accumulated.map;
        result.cascade.push(c.accumulated.score);
        if (c.instant.tier === 'full') result.backboneRan++;
      }
      const mask = masks[i];
      if (mask) {
        pixel.addFrame(accumulated.map, model.covered, mask, size);
        if (cascadeMap) cascadePixel.addFrame(cascadeMap, model.covered, mask, size);
        for (const [name, single] of singles) memberPixel.get(name)!.addFrame(single.score(input).map, single.covered, mask, size);
      }
      onFrame();
    }
    out.push(result);
  }
  const counts = (a: PixelAucAccumulator): PixelCounts => ({ positives: a.positives, negatives: a.negatives });
  return { clips: out, pixel: counts(pixel), cascadePixel: counts(cascadePixel), memberPixel: Object.fromEntries([...memberPixel].map(([n, a]) => [n, counts(a)])) };
}
