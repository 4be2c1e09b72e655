/**
 * Turns alert stream entries into delivery jobs, at least once: a consumer group reads the stream,
 * one job per matching endpoint is added under a deterministic id, and only then is the entry
 * acknowledged. After a crash the entries read but not acknowledged are read again (our own pending
 * list on start; other consumers' after `claimIdleMs` idle) and re-adding their jobs is a no-op.
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger, WebhookConfig } from '@vigil/core';
import { parseAlertEntry } from '../alertStream.js';
import { StreamConsumer, type StreamEntry } from '../streamConsumer.js';
import type { DeliveryJob } from './deliver.js';
import type { EndpointStates } from './endpointState.js';
import { deliveryJobId, webhookMessageId } from './keys.js';
import type { WebhookMetrics } from './metrics.js';

export interface DispatcherOptions {
  streamKey: string;
  group: string;
  consumer: string;
  endpoints: readonly WebhookConfig[];
  /** Delay of the first attempt (the schedule's first step), ms. */
  firstDelayMs: () => number;
  attempts: number;
  blockMs: number;
  /** Entries another consumer read and left unacknowledged this long are taken over (it died). */
  claimIdleMs: number;
}

export class StreamDispatcher {
  private readonly stream: StreamConsumer;

  /** `blocking` is used for XREADGROUP BLOCK only; `commands` for the rest. */
  constructor(
    blocking: Redis,
    commands: Redis,
    private readonly queue: Queue<DeliveryJob>,
    private readonly states: EndpointStates,
    private readonly metrics: WebhookMetrics,
    private readonly log: Logger,
    private readonly opts: DispatcherOptions,
  ) {
    // At the stream's end: events from before webhooks existed are not sent.
    this.stream = new StreamConsumer(blocking, commands, log, {
      key: opts.streamKey,
      group: opts.group,
      consumer: opts.consumer,
      startId: '$',
      what: 'webhook dispatch',
      handle: (entries) => this.dispatch(entries),
      claimIdleMs: opts.claimIdleMs,
      blockMs: opts.blockMs,
    });
  }

  start(): Promise<void> {
    return this.stream.start();
  }

  stop(): Promise<void> {
    return this.stream.stop();
  }

  private async dispatch(entries: StreamEntry[]): Promise<void> {
    const disabled = await this.states.disabledIds(this.opts.endpoints);
    const jobs: Array<{ name: string; data: DeliveryJob; opts: { jobId: string; delay: number; attempts: number; backoff: { type: string } } }> = [];
    for (const [id, fields] of entries) {
      // A pending entry trimmed from the stream comes back with no fields: nothing left to send.
      const parsed = fields ? parseAlertEntry(id, fields, this.log) : undefined;
      if (!parsed) continue;
      const cameraId = parsed.event.alert.cameraId;
      for (const ep of this.opts.endpoints) {
        if (disabled.has(ep.id) || (ep.cameras && !ep.cameras.includes(cameraId))) continue;
        jobs.push({
          name: 'deliver',
          data: { endpointId: ep.id, eventId: id, webhookId: webhookMessageId(id), body: parsed.message },
          opts: { jobId: deliveryJobId(ep.id, id), delay: this.opts.firstDelayMs(), attempts: this.opts.attempts, backoff: { type: 'webhook' } },
        });
      }
    }
    // The consumer acknowledges the entries only once the jobs exist: a crash before means a re-read, never a loss.
    if (jobs.length > 0) await this.queue.addBulk(jobs);
    for (const j of jobs) this.metrics.enqueued.inc({ endpoint: j.data.endpointId });
  }
}
