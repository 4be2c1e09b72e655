/** Prometheus metrics of webhook delivery; registered in the registry given (none by default, so tests can make many). */
import { Counter, Histogram, type Registry } from 'prom-client';

export type FailureReason = 'exhausted' | 'gone' | 'refused';

export class WebhookMetrics {
  readonly enqueued: Counter<'endpoint'>;
  readonly delivered: Counter<'endpoint'>;
  readonly failed: Counter<'endpoint' | 'reason'>;
  readonly retries: Counter<'endpoint'>;
  readonly latency: Histogram<'endpoint'>;

  constructor(registry?: Registry) {
    const registers = registry ? [registry] : [];
    this.enqueued = new Counter({ name: 'vigil_webhook_events_enqueued_total', help: 'Alert events queued for delivery, by endpoint', labelNames: ['endpoint'], registers });
    this.delivered = new Counter({ name: 'vigil_webhook_delivered_total', help: 'Webhooks answered with 2xx, by endpoint', labelNames: ['endpoint'], registers });
    this.failed = new Counter({
      name: 'vigil_webhook_failed_total',
      help: 'Webhooks given up on, by endpoint and reason (exhausted: every retry failed; gone: 410; refused: private target)',
      labelNames: ['endpoint', 'reason'],
      registers,
    });
    this.retries = new Counter({ name: 'vigil_webhook_retries_total', help: 'Failed attempts that were scheduled again, by endpoint', labelNames: ['endpoint'], registers });
    this.latency = new Histogram({
      name: 'vigil_webhook_request_seconds',
      help: 'Time from sending a webhook to its reply (or error), by endpoint',
      labelNames: ['endpoint'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15],
      registers,
    });
  }
}
