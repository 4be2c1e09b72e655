/** Typed outcomes of a delivery attempt that are not a plain 2xx. */

/** The target resolves to an address webhooks may not reach (SSRF guard); never retried. */
export class TargetRefusedError extends Error {
  override readonly name = 'TargetRefusedError';
}

/** A failed attempt that will be tried again after `delayMs` (the schedule's next step or the receiver's `retry-after`). */
export class RetryLaterError extends Error {
  override readonly name = 'RetryLaterError';
  constructor(
    message: string,
    readonly delayMs: number,
  ) {
    super(message);
  }
}
