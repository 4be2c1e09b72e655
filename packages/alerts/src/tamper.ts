/**
 * Camera tampering as an alert: the whole-frame gate (a sudden change of the whole view: covered,
 * turned, defocused, sprayed) staying on for `tamperSeconds` opens a `camera-tampered` alert, which
 * closes at the first frame that is not gated. A pure reducer over a small JSON state, stepped in the
 * same atomic commit as the anomaly lifecycle; frames may come in any order, decisions are made on
 * capture times.
 */
import type { Alert, FrameScore } from '@vigil/core';
import { alertImageUrl } from '@vigil/core';
import type { LifecycleEvent } from './lifecycle.js';
import { wholeFrameRegions } from './lifecycle.js';

export const DEFAULT_TAMPER_SECONDS = 30;

export interface TamperState {
  /** Capture time of the first frame of the run of gated frames going on, or null. */
  gatedSince: number | null;
  /** Capture time of the newest frame that was not gated: gated frames older than it belong to a run that ended. */
  clearAt: number | null;
  open: Alert | null;
}

export function initialTamperState(): TamperState {
  return { gatedSince: null, clearAt: null, open: null };
}

/** One frame → the next tamper state and its events (an open or a close, usually none). */
export function stepTamper(state: TamperState | undefined, f: FrameScore, tamperSeconds: number, newId: () => string): { state: TamperState; events: LifecycleEvent[] } {
  const s: TamperState = state ? { ...state } : initialTamperState();
  const t = f.capturedAt;
  const events: LifecycleEvent[] = [];
  if (f.gated === true) {
    if (s.clearAt !== null && t < s.clearAt) return { state: s, events };
    s.gatedSince = s.gatedSince === null ? t : Math.min(s.gatedSince, t);
    if (!s.open && t - s.gatedSince >= tamperSeconds * 1000) {
      const id = newId();
      const seconds = Math.round((t - s.gatedSince) / 1000);
      s.open = {
        id,
        cameraId: f.cameraId,
        kind: 'camera-tampered',
        reason: `the whole view changed ${seconds} s ago and has not come back (covered, turned or defocused)`,
        state: 'open',
        startedAt: new Date(s.gatedSince).toISOString(),
        updatedAt: new Date(t).toISOString(),
        score: f.score,
        frame: { ...f.frame },
        regions: wholeFrameRegions(),
        members: {},
        modelVersion: f.modelVersion,
        snapshotUrl: alertImageUrl(id, 'snapshot'),
      };
      events.push({ event: 'open', alert: { ...s.open } });
    }
    return { state: s, events };
  }
  if (s.gatedSince !== null && t < s.gatedSince) return { state: s, events };
  s.clearAt = Math.max(s.clearAt ?? t, t);
  s.gatedSince = null;
  if (s.open) {
    const at = new Date(Math.max(t, Date.parse(s.open.updatedAt))).toISOString();
    events.push({ event: 'close', alert: { ...s.open, state: 'closed', updatedAt: at, endedAt: at } });
    s.open = null;
  }
  return { state: s, events };
}
