/**
 * The scoring cascade: cost decides the order of work per frame. The cheap tier
 * (per-patch statistics, flow, background pair) scores every frame; the backbone tier (pretrained and
 * learned members) scores every frame where a GPU serves it, and where only CPUs do, only frames the
 * cheap tier flags plus a steady sample (`seq % sampleEvery`, so any worker decides alike without
 * state). A whole-frame change (frameChange.ts) gates the frame. Same function live and offline.
 */
import type { CameraModel, CameraScore } from '../cameraModel.js';
import type { FrameInput } from '../frameInput.js';
import { detectorKind } from '../registry.js';
import { detectFrameChange, type FrameChange, type FrameChangeOptions } from './frameChange.js';

export interface CascadeSettings {
  /** Cheap-tier normalised score at or over which the backbone tier also scores the frame (CPU only). */
  threshold: number;
  /** Every Nth frame of a camera (by sequence number) also gets the backbone tier (CPU only). */
  sampleEvery: number;
  /**
   * A full-tier score at or over this escalates the camera: its next frames all get the backbone tier
   * for `escalateSeconds` (the caller keeps that state; see `escalates`). Without it an anomaly the
   * cheap tier misses is seen only on sampled frames, too sparse to confirm an alert.
   */
  escalateAt: number;
  escalateSeconds: number;
}

export const DEFAULT_CASCADE: CascadeSettings = { threshold: 0.6, sampleEvery: 10, escalateAt: 0.5, escalateSeconds: 3 };

/** Backend names under which the backbone tier runs on every frame. */
export const GPU_BACKENDS: readonly string[] = ['tfjs-node-gpu'];

export interface CascadeOptions {
  /** The frame's sequence number in its camera's run (for the steady sample). */
  seq: number;
  /** The compute backend in use (BackendName). */
  backend: string;
  settings?: Partial<CascadeSettings>;
  /** Gating options, or false to skip gating. */
  gating?: Partial<FrameChangeOptions> | false;
  /** The camera is escalated (a recent full score reached `escalateAt`): run the backbone tier (CPU only). */
  escalated?: boolean;
}

export interface CascadeScore extends CameraScore {
  /** 'cheap': only the cheap tier ran; 'full': every member of the model ran. */
  tier: 'cheap' | 'full';
  /** Why the backbone tier ran on a CPU backend, or did not. */
  reason: 'gpu' | 'flagged' | 'sampled' | 'escalated' | 'no-backbone' | 'not-flagged' | 'gated';
  /** A whole-frame change: the score is reported but must not open or extend an alert. */
  gated: boolean;
  change?: FrameChange;
}

export function memberTiers(model: CameraModel): { cheap: string[]; backbone: string[] } {
  const names = model.manifest.members.map((m) => m.name);
  const cheap = names.filter((n) => detectorKind(n).tier === 'cheap');
  return { cheap, backbone: names.filter((n) => !cheap.includes(n)) };
}

/**
 * The cascade in two steps, so a worker can batch the backbone's work across frames in between: the
 * cheap tier decides (`done` when nothing more runs); otherwise `names` are the members still to score
 * (prefetch their `model.backbones(names)`), and `finish` scores them and combines.
 */
export type CascadePlan = { done: CascadeScore } | { done?: undefined; names: string[]; finish: () => CascadeScore };

export function planCascade(model: CameraModel, input: FrameInput, options: CascadeOptions): CascadePlan {
  const settings = { ...DEFAULT_CASCADE, ...options.settings };
  if (!(settings.threshold >= 0) || !(Number.isInteger(settings.sampleEvery) && settings.sampleEvery >= 1)) {
    throw new RangeError(`cascade settings need threshold ≥ 0 and an integer sampleEvery ≥ 1, got ${JSON.stringify(settings)}`);
  }
  const { cheap, backbone } = memberTiers(model);
  const gate = (s: CameraScore): FrameChange | undefined => (options.gating === false ? undefined : detectFrameChange(input, s.map, options.gating));

  const gpu = GPU_BACKENDS.includes(options.backend);
  if (cheap.length === 0 || backbone.length === 0 || gpu) {
    return {
      names: [...cheap, ...backbone],
      finish: () => {
        const all = model.score(input);
        const change = gate(all);
        const reason = backbone.length === 0 ? 'no-backbone' : 'gpu';
        return { ...all, tier: backbone.length === 0 ? 'cheap' : 'full', reason, gated: change?.gated ?? false, ...(change ? { change } : {}) };
      },
    };
  }

  const cheapParts = model.memberScores(input, cheap);
  const first = model.combine(cheapParts);
  const change = gate(first);
  const gated = change?.gated ?? false;
  const flagged = first.score >= settings.threshold;
  const sampled = options.seq % settings.sampleEvery === 0;
  const escalated = options.escalated === true;
  // A gated frame cannot alert, so the backbone's cost is not spent on it.
  if (gated || (!flagged && !sampled && !escalated)) {
    return { done: { ...first, tier: 'cheap', reason: gated ? 'gated' : 'not-flagged', gated, ...(change ? { change } : {}) } };
  }
  return {
    names: backbone,
    finish: () => {
      // The model's own rule over every member, so the full tier scores exactly as `model.score` would.
      const full = model.combine({ ...cheapParts, ...model.memberScores(input, backbone) });
      return { ...full, tier: 'full', reason: flagged ? 'flagged' : escalated ? 'escalated' : 'sampled', gated, ...(change ? { change } : {}) };
    },
  };
}

export function scoreCascade(model: CameraModel, input: FrameInput, options: CascadeOptions): CascadeScore {
  const plan = planCascade(model, input, options);
  return plan.done ?? plan.finish();
}

/** Whether this score escalates its camera (see CascadeSettings.escalateAt): a full-tier score, high enough. */
export function escalates(score: CascadeScore, settings?: Partial<CascadeSettings>): boolean {
  const { escalateAt } = { ...DEFAULT_CASCADE, ...settings };
  return score.tier === 'full' && score.reason !== 'gpu' && score.reason !== 'no-backbone' && !score.gated && score.score >= escalateAt;
}

/**
 * The cascade over one camera's frames in order, in one process (offline review, `vigil eval`): keeps
 * the escalation the live workers keep in Redis, counted in frames at the camera's rate.
 */
export class SequentialCascade {
  private escalatedBefore = -1;
  private readonly settings: CascadeSettings;

  constructor(
    private readonly model: CameraModel,
    private readonly options: { backend: string; fps: number; settings?: Partial<CascadeSettings>; gating?: Partial<FrameChangeOptions> | false },
  ) {
    this.settings = { ...DEFAULT_CASCADE, ...options.settings };
  }

  score(input: FrameInput, seq: number): CascadeScore {
    const { backend, gating } = this.options;
    const s = scoreCascade(this.model, input, { seq, backend, settings: this.settings, escalated: seq < this.escalatedBefore, ...(gating !== undefined ? { gating } : {}) });
    if (escalates(s, this.settings)) this.escalatedBefore = seq + 1 + Math.ceil(this.settings.escalateSeconds * this.options.fps);
    return s;
  }
}
