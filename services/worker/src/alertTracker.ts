/**
 * Runs the alert lifecycle of @vigil/regions atomically in Redis, so that workers scoring frames of
 * one camera concurrently and out of order emit each event exactly once: WATCH the camera's state,
 * step the reducer, then SET the new state and XADD its events in one MULTI/EXEC; retry on conflict.
 */
import type { AlertEvent, AlertPolicy, FrameScore } from '@vigil/core';
import { redisKeys, VigilError } from '@vigil/core';
import { initialLifecycleState, newAlertId, stepLifecycle, tickLifecycle } from '@vigil/regions';
import type { LifecycleEvent, LifecycleState, LifecycleStep } from '@vigil/regions';
import type { Redis } from 'ioredis';

/** The camera's state kept changing under us more often than `maxAttempts`; the frame's step was not applied. */
export class AlertConflictError extends VigilError {}

const STATE_TTL_SECONDS = 24 * 60 * 60;
const STREAM_MAXLEN = '10000';
const DEFAULT_MAX_ATTEMPTS = 50;
/** Short: a frame held back by retries arrives late, and late frames weigh less in the lifecycle. */
const MAX_BACKOFF_MS = 20;

export interface AlertTrackerOptions {
  maxAttempts?: number;
}

/**
 * Runs after the reducer decided a frame's step and before MULTI/EXEC commits it, so that what the
 * events point to (snapshot files) exists before anyone can read them. Called on every commit, with
 * the events (often none) and the camera's next state. If EXEC then conflicts, the step is decided
 * again and the hook runs again: it must be safe to repeat.
 */
export type BeforeEmit = (events: LifecycleEvent[], next: LifecycleState) => Promise<void>;

/**
 * WATCH belongs to a connection, and any MULTI/EXEC another caller runs on it drops the watch, so the
 * tracker works on a connection of its own (a duplicate of the one given, closed with it or by
 * `close()`) and runs its transactions one after another. Parallelism comes from more workers.
 */
export class AlertTracker {
  private readonly redis: Redis;
  private readonly keys;
  private readonly maxAttempts: number;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    redis: Redis,
    ns: string,
    private readonly policyFor: (cameraId: string) => AlertPolicy,
    options: AlertTrackerOptions = {},
  ) {
    this.redis = redis.duplicate();
    redis.once('end', () => this.redis.disconnect());
    this.keys = redisKeys(ns);
    this.maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  }

  /** Applies one frame's score to its camera's alert; returns the events this call emitted. */
  record(score: FrameScore, beforeEmit?: BeforeEmit): Promise<AlertEvent[]> {
    const policy = this.policyFor(score.cameraId);
    return this.serialised(() =>
      this.transact(score.cameraId, (state) => stepLifecycle(state ?? initialLifecycleState(), score, policy, () => newAlertId(score.cameraId)), beforeEmit),
    );
  }

  /** Closes alerts of cameras that have sent no frame for their quiet period (wall time `nowMs`). */
  tick(cameraIds: string[], nowMs: number = Date.now()): Promise<AlertEvent[]> {
    return this.serialised(async () => {
      const events: AlertEvent[] = [];
      for (const cameraId of cameraIds) {
        const policy = this.policyFor(cameraId);
        events.push(...(await this.transact(cameraId, (state) => (state ? tickLifecycle(state, nowMs, policy) : null))));
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

  /** `step` returns null, or no events and the same state object, when there is nothing to write. */
  private async transact(cameraId: string, step: (state: LifecycleState | null) => LifecycleStep | null, beforeEmit?: BeforeEmit): Promise<AlertEvent[]> {
    const key = this.keys.alertState(cameraId);
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      await this.redis.watch(key);
      let result: LifecycleStep | null;
      let before: LifecycleState | null;
      try {
        const raw = await this.redis.get(key);
        before = raw === null ? null : (JSON.parse(raw) as LifecycleState);
        result = step(before);
      } catch (err) {
        await this.redis.unwatch();
        throw err;
      }
      if (result === null || (result.events.length === 0 && result.state === before)) {
        await this.redis.unwatch();
        return [];
      }
      if (beforeEmit) {
        try {
          await beforeEmit(result.events, result.state);
        } catch (err) {
          await this.redis.unwatch();
          throw err;
        }
      }
      const multi = this.redis.multi().set(key, JSON.stringify(result.state), 'EX', STATE_TTL_SECONDS);
      for (const e of result.events) {
        multi.xadd(this.keys.alertEvents, 'MAXLEN', '~', STREAM_MAXLEN, '*', 'event', JSON.stringify({ type: 'alert', event: e.event, alert: e.alert }));
      }
      const replies = await multi.exec();
      if (replies === null) {
        await sleep(Math.random() * Math.min(MAX_BACKOFF_MS, 2 ** attempt));
        continue;
      }
      const failed = replies.find(([err]) => err);
      if (failed) throw failed[0];
      return result.events.map((e, i) => ({ type: 'alert', event: e.event, eventId: String(replies[i + 1]![1]), alert: e.alert }));
    }
    throw new AlertConflictError(`alert state of camera "${cameraId}" kept changing: gave up after ${this.maxAttempts} attempts`);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
