/** Exponential backoff with jitter for reconnecting to a camera: 0.5 s, 1 s, 2 s … capped at 10 s. */
export interface ReconnectPolicyOptions {
  baseMs?: number;
  factor?: number;
  maxMs?: number;
  /** Fraction of each delay that is randomised away (0–1), so many cameras dropped together don't retry in lockstep. */
  jitter?: number;
  /** Source of randomness in [0, 1); injectable for tests. */
  random?: () => number;
}

export class ReconnectPolicy {
  readonly baseMs: number;
  readonly factor: number;
  readonly maxMs: number;
  readonly jitter: number;
  private readonly random: () => number;
  private failures = 0;

  constructor(options: ReconnectPolicyOptions = {}) {
    this.baseMs = options.baseMs ?? 500;
    this.factor = options.factor ?? 2;
    this.maxMs = options.maxMs ?? 10_000;
    this.jitter = Math.min(1, Math.max(0, options.jitter ?? 0.2));
    this.random = options.random ?? Math.random;
  }

  /** Consecutive failures since the last reset. */
  get attempts(): number {
    return this.failures;
  }

  /** Delay before the next attempt; each call counts one more failure. */
  nextDelayMs(): number {
    const raw = Math.min(this.maxMs, this.baseMs * this.factor ** this.failures);
    this.failures++;
    return Math.round(raw * (1 - this.jitter * this.random()));
  }

  /** Call once frames flow again, so the next outage starts from the base delay. */
  reset(): void {
    this.failures = 0;
  }
}
