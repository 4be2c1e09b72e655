/**
 * Runs the alert lifecycle of @vigil/alerts atomically in Redis, so that workers scoring frames of
 * one camera concurrently and out of order emit each event exactly once: read the camera's state, step
 * the reducer, then commit the new state and XADD its events in one script that writes only if the
 * state is still the one read (compare-and-set); else read again. Not WATCH: ioredis resends a
 * MULTI/EXEC on a new connection after a reconnect without its WATCH, so a decision taken on stale
 * state committed (two `close`s for one alert). A script resent after a reconnect checks again.
 * The state remembers the last frames it took, so a frame whose commit landed but whose reply was lost
 * with the connection is not applied twice when its step is retried.
 */
import type { AlertEvent, AlertPolicy, FrameScore } from '@vigil/core';
import { ALERT_STREAM_MAXLEN, redisKeys, VigilError } from '@vigil/core';
import { DEFAULT_TAMPER_SECONDS, initialLifecycleState, newAlertId, stepLifecycle, stepTamper, tickLifecycle } from '@vigil/alerts';
import type { LifecycleEvent, LifecycleState, LifecycleStep } from '@vigil/alerts';
import type { Redis } from 'ioredis';
import { alertsShowingFrame } from './alertSnapshots.js';

/** The camera's state kept changing under us more often than `maxAttempts`; the frame's step was not applied. */
export class AlertConflictError extends VigilError {}

const STATE_TTL_SECONDS = 24 * 60 * 60;
/** Frames a camera's state remembers having taken (a few seconds of frames: a retry comes within them). */
const RECENT_FRAMES = 64;

/**
 * KEYS: the camera's state, the events stream. ARGV: the state as read ('' = none), the new state, TTL
 * seconds, stream MAXLEN, then each event's JSON. Returns the events' stream ids, or nil (nothing
 * written) when the state is no longer the one read.
 */
const COMMIT = `
local current = redis.call('GET', KEYS[1])
if (current or '') ~= ARGV[1] then return nil end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
local ids = {}
for i = 5, #ARGV do ids[#ids + 1] = redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], '*', 'event', ARGV[i]) end
return ids`;

/** What the state key holds: the lifecycle's state and the frames (seq@capture time) it took last. */
interface StoredState {
  lifecycle: LifecycleState;
  recent: string[];
}

function parseStored(raw: string): StoredState {
  const parsed = JSON.parse(raw) as StoredState | LifecycleState;
  // States written before the tracker remembered frames are the lifecycle's state alone.
  return 'lifecycle' in parsed ? parsed : { lifecycle: parsed, recent: [] };
}
const DEFAULT_MAX_ATTEMPTS = 50;
/** Short: a frame held back by retries arrives late, and late frames weigh less in the lifecycle. */
const MAX_BACKOFF_MS = 20;

export interface AlertTrackerOptions {
  maxAttempts?: number;
  /** Ticks close nothing for this long after the connection comes up (default: each camera's quiet period). */
  holdAfterConnectMs?: number;
  /**
   * Called between deciding a step and committing it (tests use it to interfere there, as another worker
   * or a dropped connection would). Nothing of the pipeline's own belongs here: a commit must not wait.
   */
  beforeCommit?: (cameraId: string, events: readonly LifecycleEvent[]) => Promise<void>;
}

/** What one frame's step committed: its events, and the alerts this frame is now the picture of (see alertsShowingFrame). */
export interface FrameDecision {
  events: AlertEvent[];
  showing: string[];
}

/**
 * The tracker works on a connection of its own (a duplicate of the one given, closed with it or by
 * `close()`), so its commits never queue behind a worker's other traffic, and runs them one after
 * another. Parallelism comes from more workers.
 */
export class AlertTracker {
  private readonly redis: Redis;
  private readonly keys;
  private readonly maxAttempts: number;
  private readonly holdAfterConnectMs: number | undefined;
  private readonly beforeCommit: AlertTrackerOptions['beforeCommit'];
  private queue: Promise<unknown> = Promise.resolve();
  /** When the connection was last (re)established: frames held up by an outage may still come for a while after. */
  private readyAt = Date.now();

  constructor(
    redis: Redis,
    ns: string,
    private readonly policyFor: (cameraId: string) => AlertPolicy,
    options: AlertTrackerOptions = {},
  ) {
    this.redis = redis.duplicate();
    // A dropped connection fails the commands in flight, which callers see (a frame job is retried);
    // unheard, ioredis would print each reconnect's error as an unhandled event.
    this.redis.on('error', () => undefined);
    this.redis.on('ready', () => (this.readyAt = Date.now()));
    redis.once('end', () => this.redis.disconnect());
    this.keys = redisKeys(ns);
    this.maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    this.holdAfterConnectMs = options.holdAfterConnectMs;
    this.beforeCommit = options.beforeCommit;
  }

  /** Applies one frame's score to its camera's alert; returns the events this call emitted. */
  async record(score: FrameScore): Promise<AlertEvent[]> {
    return (await this.decide(score)).events;
  }

  /**
   * Applies one frame's score and says which alerts the frame shows (it opened them, or is their new
   * peak): the caller writes their images after the commit, so no I/O ever delays a decision.
   */
  async decide(score: FrameScore): Promise<FrameDecision> {
    const policy = this.policyFor(score.cameraId);
    const frame = `${score.seq}@${score.capturedAt}`;
    const { events, step } = await this.serialised(() =>
      this.transact(
        score.cameraId,
        (state, recent) => {
          if (recent.includes(frame)) return null;
          const life = stepLifecycle(state ?? initialLifecycleState(), score, policy, () => newAlertId(score.cameraId));
          const tamper = stepTamper(life.state.tamper, score, policy.tamperSeconds ?? DEFAULT_TAMPER_SECONDS, () => newAlertId(score.cameraId));
          return { state: { ...life.state, tamper: tamper.state }, events: [...life.events, ...tamper.events] };
        },
        frame,
      ),
    );
    return { events, showing: step ? alertsShowingFrame(step.events, step.state, score) : [] };
  }

  /**
   * Closes alerts of cameras that have sent no frame for their quiet period (wall time `nowMs`). Not
   * within a quiet period after this tracker's connection came back: the frames of an outage come late,
   * and a wall-clock close would end an incident that goes on (a Redis outage looked like quiet).
   */
  tick(cameraIds: string[], nowMs: number = Date.now()): Promise<AlertEvent[]> {
    return this.serialised(async () => {
      const events: AlertEvent[] = [];
      for (const cameraId of cameraIds) {
        const policy = this.policyFor(cameraId);
        if (Date.now() - this.readyAt < (this.holdAfterConnectMs ?? policy.quietSeconds * 1000)) continue;
        events.push(...(await this.transact(cameraId, (state) => (state ? tickLifecycle(state, nowMs, policy) : null))).events);
      }
      return events;
    });
  }

  /** Waits for transactions in progress, then closes the tracker's own connection. */
  async close(): Promise<void> {
    await this.queue;
    if (this.redis.status !== 'end') await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private serialised<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * `step` returns null, or no events and the same state object, when there is nothing to write; it
   * gets the frames the state took last. `frame` (seq@capture time) is remembered with the new state.
   */
  private async transact(
    cameraId: string,
    step: (state: LifecycleState | null, recent: readonly string[]) => LifecycleStep | null,
    frame?: string,
  ): Promise<{ events: AlertEvent[]; step: LifecycleStep | null }> {
    const key = this.keys.alertState(cameraId);
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const raw = await this.redis.get(key);
      const stored = raw === null ? null : parseStored(raw);
      const result = step(stored?.lifecycle ?? null, stored?.recent ?? []);
      if (result === null || (result.events.length === 0 && result.state === stored?.lifecycle)) return { events: [], step: null };
      await this.beforeCommit?.(cameraId, result.events);
      const recent = frame ? [...(stored?.recent ?? []), frame].slice(-RECENT_FRAMES) : (stored?.recent ?? []);
      const next: StoredState = { lifecycle: result.state, recent };
      const bodies = result.events.map((e) => JSON.stringify({ type: 'alert', event: e.event, alert: e.alert }));
      const ids = (await this.redis.eval(COMMIT, 2, key, this.keys.alertEvents, raw ?? '', JSON.stringify(next), String(STATE_TTL_SECONDS), String(ALERT_STREAM_MAXLEN), ...bodies)) as string[] | null;
      if (ids === null) {
        // Another worker committed meanwhile: read again, after a short random wait so the two part.
        await sleep(Math.random() * Math.min(MAX_BACKOFF_MS, 2 ** attempt));
        continue;
      }
      return { events: result.events.map((e, i) => ({ type: 'alert', event: e.event, eventId: String(ids[i]), alert: e.alert })), step: result };
    }
    throw new AlertConflictError(`alert state of camera "${cameraId}" kept changing: gave up after ${this.maxAttempts} attempts`);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
