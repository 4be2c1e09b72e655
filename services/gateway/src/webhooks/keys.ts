/** Redis keys and the BullMQ queue of the webhook dispatcher, beside the core keys of the namespace. */
export function webhookKeys(ns: string) {
  return {
    /** BullMQ queue of deliveries (one job per endpoint and alert event). */
    queue: `${ns}-webhooks`,
    /** Consumer group on the alert stream that feeds the queue. */
    group: 'webhooks',
    /** Hash: endpoint id → JSON {fingerprint, at, reason} of endpoints disabled by a 410. */
    disabled: `${ns}:webhooks:disabled`,
    /** List of delivery attempts, newest first, bounded; used only when PostgreSQL is not configured. */
    deliveries: `${ns}:webhooks:deliveries`,
  };
}

/** Deterministic job id: a re-read of the same stream entry adds nothing new. Endpoint ids have no ".". */
export function deliveryJobId(endpointId: string, eventId: string): string {
  return `${endpointId}.${eventId}`;
}

/** Standard Webhooks message id: the same on every retry of an event (and for every endpoint). */
export function webhookMessageId(eventId: string): string {
  return `msg_${eventId}`;
}
