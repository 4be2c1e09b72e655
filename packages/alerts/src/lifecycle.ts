/**
 * The alert lifecycle of one camera: frame scores → `open` / `update` / `close` events.
 * A pure reducer over a small JSON state, so the live tracker (made atomic in Redis) and offline
 * review decide alerts with the very same code. Frames may arrive in any order; all decisions
 * are made on capture times, never on arrival order.
 */
import type { Alert, AlertEventKind, AlertPolicy, FrameScore, FrameSize, Region } from '@vigil/core';
import { alertImageUrl } from '@vigil/core';
import type { TamperState } from './tamper.js';

/** A frame over threshold, remembered while it may still help confirm an alert. */
export interface HighFrame {
  at: number;
  score: number;
}

/** The alert that is open now, with what it shows (the newest peak or moved regions). */
export interface OpenAlertState {
  id: string;
  cameraId: string;
  startedAt: number;
  /** Capture time at which the alert was confirmed. */
  confirmedAt: number;
  peak: number;
  lastHighAt: number;
  lastUpdateEmittedAt: number;
  /** Capture time of the frame whose regions, members and size the alert carries. */
  shownAt: number;
  frame: FrameSize;
  regions: Region[];
  members: Record<string, number>;
  modelVersion: string;
  /** Regions as last emitted, to tell whether they have moved since. */
  emittedRegions: Region[];
  /** A new peak or moved regions not yet emitted (updates are rate-limited). */
  pendingUpdate: boolean;
  /**
   * Capture time of the first frame after a stretch longer than the quiet period with no frame at all
   * (frames lost: a Redis outage, a camera that stalled): quiet is counted from here, not from
   * `lastHighAt`, since nothing was seen in between. Absent until such a gap.
   */
  resumedAt?: number;
}

/** JSON-serialisable; times are capture times in ms. */
export interface LifecycleState {
  /** Frames ≥ 1 not yet part of an alert, sorted by capture time, within the horizon of `latestAt`. */
  highs: HighFrame[];
  open: OpenAlertState | null;
  /** Latest capture time of any processed frame. */
  latestAt: number | null;
  /** Frames captured before this belong to an alert already closed: they never count again. */
  closedThrough: number | null;
  /** The camera-tampered alert's own state (tamper.ts), stepped in the same commit. */
  tamper?: TamperState;
}

export interface LifecycleEvent {
  event: AlertEventKind;
  alert: Alert;
}

export interface LifecycleStep {
  state: LifecycleState;
  events: LifecycleEvent[];
}

/** Two region sets whose best match overlaps less than this (IoU) count as "moved". */
const MOVED_IOU = 0.5;

export function initialLifecycleState(): LifecycleState {
  return { highs: [], open: null, latestAt: null, closedThrough: null };
}

/** The region of an alert about the whole view (a camera gone dark or tampered with): the frame itself. */
export function wholeFrameRegions(): Region[] {
  return [{ x: 0, y: 0, width: 1, height: 1, score: 1 }];
}

/** Unique and sortable by creation time (fixed-width base-36 time, then randomness). */
export function newAlertId(cameraId: string, nowMs: number = Date.now()): string {
  const random = new Uint32Array(2);
  globalThis.crypto.getRandomValues(random);
  const tail = Array.from(random, (n) => n.toString(36).padStart(7, '0')).join('');
  return `${cameraId}-${Math.max(0, Math.floor(nowMs)).toString(36).padStart(9, '0')}-${tail}`;
}

interface PolicyMs {
  confirmFrames: number;
  confirmMs: number;
  quietMs: number;
  updateMs: number;
  /** A frame over threshold older than this before `latestAt` can no longer confirm anything. */
  horizonMs: number;
}

function inMs(policy: AlertPolicy): PolicyMs {
  const confirmMs = policy.confirmSeconds * 1000;
  const quietMs = policy.quietSeconds * 1000;
  return {
    confirmFrames: Math.max(1, Math.floor(policy.confirmFrames)),
    confirmMs,
    quietMs,
    updateMs: policy.updateSeconds * 1000,
    horizonMs: Math.max(confirmMs, quietMs),
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

function area(r: Region): number {
  return Math.max(0, r.width) * Math.max(0, r.height);
}

function iou(a: Region, b: Region): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / (area(a) + area(b) - inter);
}

/** True when the region count changed or some region no longer overlaps any of the old ones well. */
export function regionsMoved(now: Region[], before: Region[]): boolean {
  if (now.length !== before.length) return true;
  return now.some((r) => !before.some((b) => iou(r, b) >= MOVED_IOU));
}

function toAlert(open: OpenAlertState, updatedAt: number, endedAt?: number): Alert {
  const alert: Alert = {
    id: open.id,
    cameraId: open.cameraId,
    state: endedAt === undefined ? 'open' : 'closed',
    startedAt: iso(open.startedAt),
    updatedAt: iso(updatedAt),
    score: open.peak,
    frame: { width: open.frame.width, height: open.frame.height },
    regions: open.regions.map((r) => ({ ...r })),
    members: { ...open.members },
    modelVersion: open.modelVersion,
    snapshotUrl: alertImageUrl(open.id, 'snapshot'),
  };
  if (endedAt !== undefined) alert.endedAt = iso(endedAt);
  return alert;
}

function carry(open: OpenAlertState, f: FrameScore): void {
  open.shownAt = f.capturedAt;
  open.frame = { width: f.frame.width, height: f.frame.height };
  open.regions = f.regions.map((r) => ({ ...r }));
  open.members = { ...f.members };
  open.modelVersion = f.modelVersion;
  open.pendingUpdate = true;
}

function absorb(open: OpenAlertState, f: FrameScore): void {
  open.lastHighAt = Math.max(open.lastHighAt, f.capturedAt);
  if (f.score > open.peak) {
    open.peak = f.score;
    carry(open, f);
  } else if (f.capturedAt >= open.shownAt && regionsMoved(f.regions, open.emittedRegions)) {
    carry(open, f);
  }
}

/**
 * The alert went quiet at `quietFrom + quiet`; it ended at its last frame over threshold, and that is
 * also its last update (every event keeps startedAt ≤ updatedAt ≤ endedAt; a close stamped with the
 * quiet time had ended before it was updated).
 */
function close(state: LifecycleState, p: PolicyMs): LifecycleEvent {
  const open = state.open!;
  const quietAt = quietFrom(open) + p.quietMs;
  state.open = null;
  state.closedThrough = Math.max(state.closedThrough ?? quietAt, quietAt);
  state.highs = state.highs.filter((h) => h.at >= quietAt);
  return { event: 'close', alert: toAlert(open, open.lastHighAt, open.lastHighAt) };
}

function insertSorted(highs: HighFrame[], h: HighFrame): void {
  let i = highs.length;
  while (i > 0 && highs[i - 1]!.at > h.at) i--;
  highs.splice(i, 0, h);
}

/** Index of the first frame of the earliest run of `confirmFrames` highs within `confirmMs`, or -1. */
function confirmation(highs: HighFrame[], p: PolicyMs): number {
  for (let i = 0; i + p.confirmFrames - 1 < highs.length; i++) {
    if (highs[i + p.confirmFrames - 1]!.at - highs[i]!.at <= p.confirmMs) return i;
  }
  return -1;
}

/** Where an open alert's quiet period is counted from: its last frame over threshold, or the first frame after a gap of lost frames. */
function quietFrom(open: OpenAlertState): number {
  return Math.max(open.lastHighAt, open.resumedAt ?? -Infinity);
}

/** One frame's score → the camera's next state and the events it causes (usually none). */
export function stepLifecycle(state: LifecycleState, score: FrameScore, policy: AlertPolicy, newId: () => string): LifecycleStep {
  const p = inMs(policy);
  const s: LifecycleState = structuredClone(state);
  const events: LifecycleEvent[] = [];
  const t = score.capturedAt;
  const previousAt = s.latestAt;
  const latestAt = (s.latestAt = s.latestAt === null ? t : Math.max(s.latestAt, t));
  // No frame at all for longer than the quiet period, then this one: the gap is lost frames, not quiet.
  if (s.open && previousAt !== null && t - previousAt > p.quietMs) s.open.resumedAt = t;
  // A gated frame (whole-frame change) or a warming one is seen — time moves on — but never opens or extends an alert.
  const high = score.score >= 1 && score.gated !== true && score.warming !== true;
  // Late frames of a closed alert, or older than anything still undecided, change nothing.
  const counts = () => high && (s.closedThrough === null || t >= s.closedThrough) && t > latestAt - p.horizonMs;

  if (s.open && counts() && t - quietFrom(s.open) < p.quietMs) absorb(s.open, score);
  if (s.open && latestAt - quietFrom(s.open) >= p.quietMs) events.push(close(s, p));

  if (!s.open) {
    // A frame over only by the hold confirms nothing: an alert opens on frames that cross on their own.
    if (counts() && score.held !== true) insertSorted(s.highs, { at: t, score: score.score });
    s.highs = s.highs.filter((h) => h.at > latestAt - p.horizonMs && (s.closedThrough === null || h.at >= s.closedThrough));
    const first = confirmation(s.highs, p);
    if (first >= 0) {
      const run = s.highs.slice(first);
      const confirmedAt = s.highs[first + p.confirmFrames - 1]!.at;
      s.open = {
        id: newId(),
        cameraId: score.cameraId,
        startedAt: run[0]!.at,
        confirmedAt,
        peak: Math.max(...run.map((h) => h.score)),
        lastHighAt: run[run.length - 1]!.at,
        lastUpdateEmittedAt: confirmedAt,
        shownAt: t,
        frame: { width: score.frame.width, height: score.frame.height },
        regions: score.regions.map((r) => ({ ...r })),
        members: { ...score.members },
        modelVersion: score.modelVersion,
        emittedRegions: score.regions.map((r) => ({ ...r })),
        pendingUpdate: false,
      };
      s.highs = [];
      events.push({ event: 'open', alert: toAlert(s.open, confirmedAt) });
      // Confirmed only now by frames that arrived late: it may already be over.
      if (latestAt - s.open.lastHighAt >= p.quietMs) events.push(close(s, p));
    }
  } else if (s.open.pendingUpdate && latestAt - s.open.lastUpdateEmittedAt >= p.updateMs) {
    s.open.pendingUpdate = false;
    s.open.lastUpdateEmittedAt = latestAt;
    s.open.emittedRegions = s.open.regions.map((r) => ({ ...r }));
    // Stamped no later than its last frame over threshold, so the close (stamped there) is never older.
    events.push({ event: 'update', alert: toAlert(s.open, Math.min(latestAt, s.open.lastHighAt)) });
  }
  return { state: s, events };
}

/** Closes the open alert of a camera that has sent no frame at all for `quietSeconds` of wall time. */
export function tickLifecycle(state: LifecycleState, nowMs: number, policy: AlertPolicy): LifecycleStep {
  const p = inMs(policy);
  if (!state.open || state.latestAt === null || nowMs - state.latestAt < p.quietMs) return { state, events: [] };
  const s: LifecycleState = structuredClone(state);
  const closed = close(s, p);
  // Not the scene going back to normal: nothing came to judge (a camera gone dark, a stopped pipeline).
  closed.alert.reason = `closed without frames: none arrived for ${Math.round((nowMs - state.latestAt) / 1000)} s`;
  return { state: s, events: [closed] };
}

/** The lifecycle of one camera held in memory, for offline review and tests. */
export class AlertLifecycle {
  private state = initialLifecycleState();

  constructor(
    private readonly policy: AlertPolicy,
    private readonly newId: () => string = () => newAlertId('alert'),
  ) {}

  get current(): Readonly<LifecycleState> {
    return this.state;
  }

  push(score: FrameScore): LifecycleEvent[] {
    const next = stepLifecycle(this.state, score, this.policy, this.newId);
    this.state = next.state;
    return next.events;
  }

  tick(nowMs: number): LifecycleEvent[] {
    const next = tickLifecycle(this.state, nowMs, this.policy);
    this.state = next.state;
    return next.events;
  }
}
