/**
 * Alerts this gateway has just seen open or peak on the stream. A worker writes an alert's images after
 * committing its event (so no decision waits for JPEG encoding): for a moment after the event, its
 * images may not be on disk yet, and a request for them waits for them instead of failing.
 */
export class RecentAlerts {
  private readonly seenAt = new Map<string, number>();

  constructor(
    /** How long after its event an alert counts as recent. */
    private readonly windowMs = 30_000,
    /** Bound on the alerts remembered (oldest forgotten first). */
    private readonly capacity = 2000,
  ) {}

  seen(alertId: string, nowMs = Date.now()): void {
    this.seenAt.delete(alertId);
    this.seenAt.set(alertId, nowMs);
    if (this.seenAt.size > this.capacity) this.seenAt.delete(this.seenAt.keys().next().value!);
  }

  isRecent(alertId: string, nowMs = Date.now()): boolean {
    const at = this.seenAt.get(alertId);
    return at !== undefined && nowMs - at < this.windowMs;
  }
}
