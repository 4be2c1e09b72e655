/**
 * Alerts this gateway has just seen open or peak on the stream. A worker writes an alert's images after
 * committing its event (so no decision waits for JPEG encoding): for a moment after the event, its
 * images may not be on disk yet, and a request for them waits for them instead of failing.
 */
import { BoundedMap } from '@vigil/core';

export class RecentAlerts {
  private readonly seenAt: BoundedMap<string, number>;

  constructor(
    /** How long after its event an alert counts as recent. */
    private readonly windowMs = 30_000,
    /** Bound on the alerts remembered (oldest forgotten first). */
    capacity = 2000,
  ) {
    this.seenAt = new BoundedMap(capacity);
  }

  seen(alertId: string, nowMs = Date.now()): void {
    this.seenAt.set(alertId, nowMs);
  }

  isRecent(alertId: string, nowMs = Date.now()): boolean {
    const at = this.seenAt.get(alertId);
    return at !== undefined && nowMs - at < this.windowMs;
  }
}
