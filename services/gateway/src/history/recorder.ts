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
import { StreamConsumer, type StreamEntry } from '../streamConsumer.js';
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

export class AlertRecorder {
  readonly consumer: string;
  private readonly stream: StreamConsumer;

  /** `blocking` serves only XREADGROUP BLOCK; it is disconnected on stop. */
  constructor(
    blocking: Redis,
    commands: Redis,
    key: string,
    private readonly store: AlertStore,
    private readonly log: Logger,
    opts: RecorderOptions = {},
  ) {
    this.consumer = opts.consumer ?? `gateway@${hostname()}`;
    // From the stream's start, so events appended before the first gateway ran are recorded too.
    this.stream = new StreamConsumer(blocking, commands, log, {
      key,
      group: HISTORY_GROUP,
      consumer: this.consumer,
      startId: '0',
      what: 'history recorder',
      handle: (entries) => this.storeAll(entries),
      ...(opts.claimIdleMs !== undefined ? { claimIdleMs: opts.claimIdleMs } : {}),
      ...(opts.blockMs !== undefined ? { blockMs: opts.blockMs } : {}),
      ...(opts.batch !== undefined ? { batch: opts.batch } : {}),
    });
  }

  start(): void {
    void this.stream.start();
  }

  stop(): Promise<void> {
    return this.stream.stop();
  }

  /**
   * Stores a batch in one transaction (the consumer acknowledges it after). Entries that can never be
   * stored (malformed, or trimmed while pending) are skipped, so one bad entry cannot wedge the group.
   */
  private async storeAll(entries: StreamEntry[]): Promise<void> {
    const records: EventRecord[] = [];
    for (const [id, fields] of entries) {
      if (!fields) continue;
      const parsed = parseAlertEntry(id, fields, this.log);
      const rec = parsed && toEventRecord(parsed.event);
      if (rec && 'error' in rec) this.log.warn('skipping alert event the history cannot store', { id, reason: rec.error });
      else if (rec) records.push(rec);
    }
    if (records.length > 0) await this.storeRecords(records);
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
