/**
 * Endpoints disabled by a 410 Gone. Redis holds the state the dispatcher and workers read on every
 * event; PostgreSQL (when configured) keeps the same for operators. A disabled endpoint stays off
 * until its URL changes in the config or `enable()` is called.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { Logger, WebhookConfig } from '@vigil/core';
import { webhookKeys } from './keys.js';

interface DisabledMark {
  fingerprint: string;
  at: string;
  reason: string;
}

export function urlFingerprint(url: string): string {
  return createHash('sha256').update(url).digest('hex').slice(0, 16);
}

export class EndpointStates {
  private readonly key: string;

  constructor(
    private readonly redis: Redis,
    ns: string,
    private readonly log: Logger,
    private readonly pool?: pg.Pool,
  ) {
    this.key = webhookKeys(ns).disabled;
  }

  /** Ids of the given endpoints that are disabled for their current URL. */
  async disabledIds(endpoints: readonly WebhookConfig[]): Promise<Set<string>> {
    const marks = await this.redis.hgetall(this.key);
    const off = new Set<string>();
    for (const ep of endpoints) {
      const raw = marks[ep.id];
      if (raw && (JSON.parse(raw) as DisabledMark).fingerprint === urlFingerprint(ep.url)) off.add(ep.id);
    }
    return off;
  }

  async isDisabled(endpoint: WebhookConfig): Promise<boolean> {
    return (await this.disabledIds([endpoint])).has(endpoint.id);
  }

  async disable(endpoint: WebhookConfig, reason: string): Promise<void> {
    const mark: DisabledMark = { fingerprint: urlFingerprint(endpoint.url), at: new Date().toISOString(), reason };
    await this.redis.hset(this.key, endpoint.id, JSON.stringify(mark));
    await this.persist(endpoint, 'disabled', reason);
  }

  /** Re-enables an endpoint (an operator's reset). */
  async enable(endpoint: WebhookConfig, reason = 'reset'): Promise<void> {
    await this.redis.hdel(this.key, endpoint.id);
    await this.persist(endpoint, 'active', reason);
  }

  /** Drops marks of endpoints whose URL changed or which left the config, so they start enabled. */
  async forgetStale(endpoints: readonly WebhookConfig[]): Promise<void> {
    const marks = await this.redis.hgetall(this.key);
    for (const [id, raw] of Object.entries(marks)) {
      const ep = endpoints.find((e) => e.id === id);
      if (ep && (JSON.parse(raw) as DisabledMark).fingerprint === urlFingerprint(ep.url)) continue;
      await this.redis.hdel(this.key, id);
      if (ep) await this.persist(ep, 'active', 'URL changed in the config');
      this.log.info('webhook endpoint re-enabled', { endpoint: id, reason: ep ? 'URL changed' : 'no longer configured' });
    }
  }

  private async persist(endpoint: WebhookConfig, state: 'active' | 'disabled', reason: string): Promise<void> {
    if (!this.pool) return;
    try {
      await this.pool.query(
        `INSERT INTO webhook_endpoints (endpoint_id, state, url_fingerprint, reason, changed_at) VALUES ($1, $2, $3, $4, now())
         ON CONFLICT (endpoint_id) DO UPDATE SET state = EXCLUDED.state, url_fingerprint = EXCLUDED.url_fingerprint,
           reason = EXCLUDED.reason, changed_at = EXCLUDED.changed_at`,
        [endpoint.id, state, urlFingerprint(endpoint.url), reason],
      );
    } catch (err) {
      this.log.warn('cannot record webhook endpoint state in PostgreSQL', { endpoint: endpoint.id, error: err });
    }
  }
}
