/**
 * One consumer of a Redis Stream consumer group, as the alert history and the webhook dispatcher both
 * use it: read new entries (XREADGROUP BLOCK), hand each batch to `handle`, acknowledge it only once
 * `handle` resolved. Entries left pending are never lost: this consumer's own (read before a crash or a
 * failed `handle`) are read again first, and other consumers' are claimed once idle for `claimIdleMs`.
 * Errors are logged once per outage and retried every second; a deleted stream gets its group back.
 */
import type { Redis } from 'ioredis';
import type { Logger } from '@vigil/core';

/** A pending entry trimmed from the stream comes back with no fields. */
export type StreamEntry = [id: string, fields: string[] | null];

export interface StreamConsumerOptions {
  key: string;
  group: string;
  consumer: string;
  /** Where a new group starts: '0' (everything in the stream) or '$' (only what comes next). */
  startId: '0' | '$';
  /** Processes a batch; the entries are acknowledged after it resolves, and read again if it throws. */
  handle: (entries: StreamEntry[]) => Promise<void>;
  /** Names the consumer in its log lines. */
  what: string;
  claimIdleMs?: number;
  blockMs?: number;
  batch?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class StreamConsumer {
  private readonly claimIdleMs: number;
  private readonly blockMs: number;
  private readonly batch: number;
  private stopped = false;
  private failing = false;
  private groupReady = false;
  private loop: Promise<void> | undefined;
  private lastClaimAt = 0;

  /** `blocking` serves only XREADGROUP BLOCK and is disconnected on stop; `commands` the rest. */
  constructor(
    private readonly blocking: Redis,
    private readonly commands: Redis,
    private readonly log: Logger,
    private readonly opts: StreamConsumerOptions,
  ) {
    this.claimIdleMs = opts.claimIdleMs ?? 60_000;
    this.blockMs = opts.blockMs ?? 5000;
    this.batch = opts.batch ?? 100;
  }

  /** Creates the group now when Redis answers (so '$' means "from now"), else in the loop; then runs. */
  async start(): Promise<void> {
    await this.ensureGroup().catch(() => undefined);
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.blocking.disconnect();
    await this.loop;
  }

  private async run(): Promise<void> {
    let ownPendingDone = false;
    while (!this.stopped) {
      try {
        await this.ensureGroup();
        if (!ownPendingDone) ownPendingDone = await this.drainOwnPending();
        await this.claimAbandoned();
        const { group, consumer, key } = this.opts;
        const res = (await this.blocking.xreadgroup('GROUP', group, consumer, 'COUNT', this.batch, 'BLOCK', this.blockMs, 'STREAMS', key, '>')) as Array<[string, StreamEntry[]]> | null;
        for (const [, entries] of res ?? []) await this.process(entries);
        if (this.failing) this.log.info(`${this.opts.what} running again`);
        this.failing = false;
      } catch (err) {
        if (this.stopped) return;
        if (/NOGROUP/.test((err as Error).message)) this.groupReady = false; // the stream was deleted; recreate the group
        ownPendingDone = false; // entries read but not handled are pending with us: take them again first
        if (!this.failing) this.log.warn(`${this.opts.what} failed; retrying every second`, { error: err });
        this.failing = true;
        await sleep(1000);
      }
    }
  }

  private async ensureGroup(): Promise<void> {
    if (this.groupReady) return;
    try {
      await this.commands.xgroup('CREATE', this.opts.key, this.opts.group, this.opts.startId, 'MKSTREAM');
    } catch (err) {
      if (!/BUSYGROUP/.test((err as Error).message)) throw err;
    }
    this.groupReady = true;
  }

  private async process(entries: StreamEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.opts.handle(entries);
    await this.commands.xack(this.opts.key, this.opts.group, ...entries.map(([id]) => id));
  }

  /** Entries delivered to this consumer before and never acknowledged. */
  private async drainOwnPending(): Promise<true> {
    const { group, consumer, key } = this.opts;
    let after = '0';
    while (!this.stopped) {
      const res = (await this.commands.xreadgroup('GROUP', group, consumer, 'COUNT', this.batch, 'STREAMS', key, after)) as Array<[string, StreamEntry[]]> | null;
      const entries = res?.[0]?.[1] ?? [];
      if (entries.length === 0) break;
      await this.process(entries);
      after = entries.at(-1)![0];
    }
    return true;
  }

  /** Entries another consumer took and left pending longer than `claimIdleMs` (it presumably died). */
  private async claimAbandoned(): Promise<void> {
    if (Date.now() - this.lastClaimAt < Math.min(this.claimIdleMs, 10_000)) return;
    this.lastClaimAt = Date.now();
    const { group, consumer, key } = this.opts;
    let cursor = '0-0';
    do {
      const [next, entries] = (await this.commands.xautoclaim(key, group, consumer, this.claimIdleMs, cursor, 'COUNT', this.batch)) as [string, Array<StreamEntry | null>, ...unknown[]];
      await this.process(entries.filter((e): e is StreamEntry => Array.isArray(e)).map(([id, fields]) => [id, Array.isArray(fields) ? fields : null]));
      cursor = next;
    } while (cursor !== '0-0' && !this.stopped);
  }
}
