/**
 * Copies every alert event from the Redis Stream into PostgreSQL through the consumer group
 * `history`. An entry is acknowledged (XACK) only after its PG transaction commits; entries left
 * pending by a gateway that died are read again at start (its own) or claimed once idle (others').
 * Storing is idempotent by event id, so a redelivery changes nothing: exactly once in effect.
 */
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { Logger } from '@vigil/core';
import { parseAlertEntry } from '../alertStream.js';
import type { AlertStore } from './alertStore.js';
import { toEventRecord, type EventRecord } from './eventRecord.js';

export const HISTORY_GROUP = 'history';

export interface RecorderOptions {
  /** Consumer name in the group; stable across restarts of one gateway so it finds its own pending entries. */
  consumer?: string;
  /** Entries pending this long with another consumer are taken over (that consumer presumably died). */
  claimIdleMs?: number;
  blockMs?: number;
  batch?: number;
}

type Entry = [id: string, fields: string[]];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class AlertRecorder {
  readonly consumer: string;
  private readonly claimIdleMs: number;
  private readonly blockMs: number;
  private readonly batch: number;
  private stopped = false;
  private failing = false;
  private loop: Promise<void> | undefined;
  private lastClaimAt = 0;

  /** `blocking` serves only XREADGROUP BLOCK; it is disconnected on stop. */
  constructor(
    private readonly blocking: Redis,
    private readonly commands: Redis,
    private readonly key: string,
    private readonly store: AlertStore,
    private readonly log: Logger,
    opts: RecorderOptions = {},
  ) {
    this.consumer = opts.consumer ?? `gateway@${hostname()}`;
    this.claimIdleMs = opts.claimIdleMs ?? 60_000;
    this.blockMs = opts.blockMs ?? 5000;
    this.batch = opts.batch ?? 100;
  }

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.blocking.disconnect();
    await this.loop;
  }

  private async run(): Promise<void> {
    let groupReady = false;
    let ownPendingDone = false;
    while (!this.stopped) {
      try {
        if (!groupReady) groupReady = await this.ensureGroup();
        if (!ownPendingDone) ownPendingDone = await this.drainOwnPending();
        await this.claimAbandoned();
        const res = (await this.blocking.xreadgroup('GROUP', HISTORY_GROUP, this.consumer, 'COUNT', this.batch, 'BLOCK', this.blockMs, 'STREAMS', this.key, '>')) as
          | Array<[string, Entry[]]>
          | null;
        for (const [, entries] of res ?? []) await this.storeAll(entries);
        if (this.failing) this.log.info('history recorder running again');
        this.failing = false;
      } catch (err) {
        if (this.stopped) return;
        if (/NOGROUP/.test((err as Error).message)) groupReady = false; // the stream was deleted; recreate the group
        ownPendingDone = false; // entries read but not stored are pending with us: take them again first
        if (!this.failing) this.log.warn('history recorder failed; retrying every second', { error: err });
        this.failing = true;
        await sleep(1000);
      }
    }
  }

  /** From the stream's start, so events appended before the first gateway ran are recorded too. */
  private async ensureGroup(): Promise<true> {
    try {
      await this.commands.xgroup('CREATE', this.key, HISTORY_GROUP, '0', 'MKSTREAM');
    } catch (err) {
      if (!/BUSYGROUP/.test((err as Error).message)) throw err;
    }
    return true;
  }

  /** Entries delivered to this consumer before a crash and never acknowledged. */
  private async drainOwnPending(): Promise<true> {
    let after = '0';
    for (;;) {
      const res = (await this.commands.xreadgroup('GROUP', HISTORY_GROUP, this.consumer, 'COUNT', this.batch, 'STREAMS', this.key, after)) as Array<[string, Entry[]]> | null;
      const entries = res?.[0]?.[1] ?? [];
      if (entries.length === 0) return true;
      await this.storeAll(entries);
      after = entries.at(-1)![0];
    }
  }

  /** Entries another consumer took and left pending longer than `claimIdleMs`. */
  private async claimAbandoned(): Promise<void> {
    if (Date.now() - this.lastClaimAt < Math.min(this.claimIdleMs, 10_000)) return;
    this.lastClaimAt = Date.now();
    let cursor = '0-0';
    do {
      const [next, entries] = (await this.commands.xautoclaim(this.key, HISTORY_GROUP, this.consumer, this.claimIdleMs, cursor, 'COUNT', this.batch)) as [string, Array<Entry | null>, ...unknown[]];
      // Entries trimmed from the stream while pending come back as null: nothing left to store.
      await this.storeAll(entries.filter((e): e is Entry => Array.isArray(e) && Array.isArray(e[1])));
      cursor = next;
    } while (cursor !== '0-0' && !this.stopped);
  }

  /**
   * Stores a batch in one transaction, then acknowledges it. Entries that can never be stored
   * (malformed) are acknowledged and skipped, so one bad entry cannot wedge the group.
   */
  private async storeAll(entries: Entry[]): Promise<void> {
    if (entries.length === 0) return;
    const records: EventRecord[] = [];
    for (const [id, fields] of entries) {
      const parsed = parseAlertEntry(id, fields ?? [], this.log);
      const rec = parsed && toEventRecord(parsed.event);
      if (rec && 'error' in rec) this.log.warn('skipping alert event the history cannot store', { id, reason: rec.error });
      else if (rec) records.push(rec);
    }
    if (records.length > 0) await this.storeRecords(records);
    await this.commands.xack(this.key, HISTORY_GROUP, ...entries.map(([id]) => id));
  }

  /** On a batch the database refuses, stores entry by entry and skips only those it refuses for their data. */
  private async storeRecords(records: EventRecord[]): Promise<void> {
    try {
      await this.store.recordAll(records);
    } catch (err) {
      if (!isDataError(err)) throw err;
      for (const rec of records) {
        try {
          await this.store.recordAll([rec]);
        } catch (one) {
          if (!isDataError(one)) throw one;
          this.log.error('skipping alert event the database refuses', { id: rec.eventId, error: one });
        }
      }
    }
  }
}

/** SQLSTATE classes 22 (data exception) and 23 (integrity constraint): retrying the same entry cannot help. */
function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^2[23]/.test(code);
}
