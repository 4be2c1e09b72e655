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

type Entry = [id: string, fields: string[] | null];
const BATCH = 100;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class StreamDispatcher {
  private stopped = false;
  private loop: Promise<void> | undefined;
  private lastClaim = 0;
  private failing = false;

  /** `blocking` is used for XREADGROUP BLOCK only; `commands` for the rest. */
  constructor(
    private readonly blocking: Redis,
    private readonly commands: Redis,
    private readonly queue: Queue<DeliveryJob>,
    private readonly states: EndpointStates,
    private readonly metrics: WebhookMetrics,
    private readonly log: Logger,
    private readonly opts: DispatcherOptions,
  ) {}

  /** Creates the group if needed (at the stream's end: events from before webhooks existed are not sent), then runs. */
  async start(): Promise<void> {
    try {
      await this.commands.xgroup('CREATE', this.opts.streamKey, this.opts.group, '$', 'MKSTREAM');
    } catch (err) {
      if (!/BUSYGROUP/.test((err as Error).message)) throw err;
    }
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.blocking.disconnect();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        if (Date.now() - this.lastClaim >= this.opts.claimIdleMs) {
          await this.recoverPending();
          this.lastClaim = Date.now();
        }
        const res = (await this.blocking.xreadgroup(
          'GROUP', this.opts.group, this.opts.consumer, 'COUNT', BATCH, 'BLOCK', this.opts.blockMs, 'STREAMS', this.opts.streamKey, '>',
        )) as Array<[string, Entry[]]> | null;
        for (const [, entries] of res ?? []) await this.dispatch(entries);
        if (this.failing) this.log.info('webhook dispatch reading the alert stream again');
        this.failing = false;
      } catch (err) {
        if (this.stopped) return;
        if (!this.failing) this.log.warn('webhook dispatch failed; retrying every second', { error: err });
        this.failing = true;
        await sleep(1000);
      }
    }
  }

  /** Takes over idle entries of dead consumers, then dispatches everything pending for this consumer. */
  private async recoverPending(): Promise<void> {
    const { streamKey, group, consumer, claimIdleMs } = this.opts;
    let cursor = '0-0';
    do {
      const [next] = (await this.commands.xautoclaim(streamKey, group, consumer, claimIdleMs, cursor, 'COUNT', BATCH, 'JUSTID')) as [string, unknown];
      cursor = next;
    } while (cursor !== '0-0' && !this.stopped);
    let after = '0';
    while (!this.stopped) {
      const res = (await this.commands.xreadgroup('GROUP', group, consumer, 'COUNT', BATCH, 'STREAMS', streamKey, after)) as Array<[string, Entry[]]> | null;
      const entries = res?.[0]?.[1] ?? [];
      if (entries.length === 0) return;
      await this.dispatch(entries);
      after = entries.at(-1)![0];
    }
  }

  private async dispatch(entries: Entry[]): Promise<void> {
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
    if (jobs.length > 0) await this.queue.addBulk(jobs);
    for (const j of jobs) this.metrics.enqueued.inc({ endpoint: j.data.endpointId });
    // Acknowledged only once the jobs exist: a crash before this line means a re-read, never a loss.
    if (entries.length > 0) await this.commands.xack(this.opts.streamKey, this.opts.group, ...entries.map(([id]) => id));
  }
}
