/**
 * Where delivery attempts are kept: PostgreSQL (`webhook_deliveries`, migration 0002) when the
 * history store is configured, else a bounded Redis list (the newest MAX_REDIS_DELIVERIES attempts).
 * Writing the log never fails a delivery: a lost log row is better than a second POST.
 */
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { Logger } from '@vigil/core';
import { webhookKeys } from './keys.js';

export type DeliveryState = 'delivered' | 'retrying' | 'failed' | 'gone' | 'refused' | 'skipped';

export interface DeliveryRecord {
  endpointId: string;
  eventId: string;
  webhookId: string;
  attempt: number;
  attemptedAt: Date;
  /** HTTP status of the reply; undefined when no reply came (network error, refusal, skip). */
  statusCode?: number;
  error?: string;
  durationMs: number;
  nextAttemptAt?: Date;
  state: DeliveryState;
}

export interface DeliveryLog {
  record(entry: DeliveryRecord): Promise<void>;
}

export const MAX_REDIS_DELIVERIES = 1000;

export class PgDeliveryLog implements DeliveryLog {
  constructor(
    private readonly pool: pg.Pool,
    private readonly log: Logger,
  ) {}

  async record(e: DeliveryRecord): Promise<void> {
    try {
      await this.pool.query(
        `INSERT INTO webhook_deliveries
           (endpoint_id, event_id, webhook_id, attempt, attempted_at, status_code, error, duration_ms, next_attempt_at, state)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [e.endpointId, e.eventId, e.webhookId, e.attempt, e.attemptedAt, e.statusCode ?? null, e.error ?? null, Math.round(e.durationMs), e.nextAttemptAt ?? null, e.state],
      );
    } catch (err) {
      this.log.warn('cannot record webhook delivery in PostgreSQL', { endpoint: e.endpointId, eventId: e.eventId, error: err });
    }
  }
}

/** JSON lines in a capped list, newest first: enough to see what an endpoint is doing, never unbounded. */
export class RedisDeliveryLog implements DeliveryLog {
  private readonly key: string;

  constructor(
    private readonly redis: Redis,
    ns: string,
    private readonly log: Logger,
    private readonly max = MAX_REDIS_DELIVERIES,
  ) {
    this.key = webhookKeys(ns).deliveries;
  }

  async record(e: DeliveryRecord): Promise<void> {
    const line = JSON.stringify({ ...e, attemptedAt: e.attemptedAt.toISOString(), nextAttemptAt: e.nextAttemptAt?.toISOString() });
    try {
      await this.redis
        .multi()
        .lpush(this.key, line)
        .ltrim(this.key, 0, this.max - 1)
        .exec();
    } catch (err) {
      this.log.warn('cannot record webhook delivery in Redis', { endpoint: e.endpointId, eventId: e.eventId, error: err });
    }
  }

  /** The kept attempts, newest first. */
  async recent(count = this.max): Promise<DeliveryRecord[]> {
    const lines = await this.redis.lrange(this.key, 0, count - 1);
    return lines.map((l) => {
      const raw = JSON.parse(l) as Omit<DeliveryRecord, 'attemptedAt' | 'nextAttemptAt'> & { attemptedAt: string; nextAttemptAt?: string };
      return { ...raw, attemptedAt: new Date(raw.attemptedAt), nextAttemptAt: raw.nextAttemptAt ? new Date(raw.nextAttemptAt) : undefined };
    });
  }
}
