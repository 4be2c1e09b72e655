/** When to try a delivery again: the retry schedule with jitter, and `retry-after` of 429/503 replies. */

/** Delay before each attempt, in seconds: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h. */
export const DEFAULT_RETRY_SCHEDULE_SECONDS: readonly number[] = [0, 5, 300, 1800, 7200, 18000, 36000, 36000];

/** ±20 %: spreads retries of many events that failed together (an endpoint outage) over time. */
export const JITTER = 0.2;

/** A `retry-after` longer than this is cut to it, so one reply cannot park a delivery for days. */
export const DEFAULT_MAX_RETRY_AFTER_SECONDS = 36000;

/** Delay before attempt `attempt` (1-based) with jitter; undefined when the schedule has no such attempt. */
export function attemptDelayMs(attempt: number, schedule: readonly number[], random: () => number = Math.random): number | undefined {
  const seconds = schedule[attempt - 1];
  if (seconds === undefined || attempt < 1) return undefined;
  const factor = 1 + JITTER * (2 * random() - 1);
  return Math.max(0, Math.round(seconds * 1000 * factor));
}

/** `retry-after` as milliseconds from `now` (delta-seconds or an HTTP date), capped; undefined when absent or unreadable. */
export function retryAfterMs(header: string | undefined, now: number, capSeconds = DEFAULT_MAX_RETRY_AFTER_SECONDS): number | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(value)) ms = Number(value) * 1000;
  else {
    // An HTTP date names its month; without the check Date.parse would take "-5" for a year.
    const at = /[a-z]{3}/i.test(value) ? Date.parse(value) : NaN;
    if (Number.isNaN(at)) return undefined;
    ms = at - now;
  }
  return Math.round(Math.min(Math.max(ms, 0), capSeconds * 1000));
}
