/**
 * Signed webhooks for alert events (Standard Webhooks): a consumer group on the alert stream queues
 * one BullMQ job per matching endpoint; a BullMQ worker POSTs, retries on the schedule and keeps
 * every attempt (PostgreSQL when given, else a bounded Redis list).
 */
import { hostname } from 'node:os';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type pg from 'pg';
import type { Registry } from 'prom-client';
import { createLogger, redisKeys, type Config, type Logger } from '@vigil/core';
import { deliverOnce, type DeliveryJob } from './deliver.js';
import { PgDeliveryLog, RedisDeliveryLog, type DeliveryLog } from './deliveryLog.js';
import { EndpointStates } from './endpointState.js';
import { RetryLaterError } from './errors.js';
import { webhookKeys } from './keys.js';
import { WebhookMetrics } from './metrics.js';
import { attemptDelayMs, DEFAULT_MAX_RETRY_AFTER_SECONDS, DEFAULT_RETRY_SCHEDULE_SECONDS } from './schedule.js';
import { DEFAULT_TIMEOUT_MS } from './send.js';
import { StreamDispatcher } from './streamDispatcher.js';
import { vetWebhookTargets } from './targetGuard.js';

export { DEFAULT_RETRY_SCHEDULE_SECONDS, attemptDelayMs, retryAfterMs } from './schedule.js';
export { signedHeaders, signPayload } from './signature.js';
export { refusedKind, resolveTarget, vetWebhookTargets } from './targetGuard.js';
export { EndpointStates } from './endpointState.js';
export { RedisDeliveryLog, type DeliveryRecord, type DeliveryState } from './deliveryLog.js';
export { WebhookMetrics } from './metrics.js';
export { webhookKeys, webhookMessageId } from './keys.js';

export interface WebhookDispatchDeps {
  /** Commands (endpoint state, the Redis delivery log); BullMQ and the stream reader open their own connections. */
  redis: Redis;
  /** The history store; when absent, delivery attempts go to a capped Redis list. Migrations must have run. */
  pg?: pg.Pool;
  log?: Logger;
}

export interface WebhookDispatchOptions {
  /**
   * Check every endpoint's target at start (default true): a refused one is a startup error. Deliveries
   * are checked again either way (a name may resolve elsewhere later); tests of that later check skip this.
   */
  checkTargetsAtStart?: boolean;
  /** Delay before each attempt in seconds, first one included; its length is the number of attempts. */
  retryScheduleSeconds?: readonly number[];
  /** Cap on a 429/503 `retry-after`, seconds. */
  maxRetryAfterSeconds?: number;
  /** Request timeout, ms (15 s). */
  timeoutMs?: number;
  /** Deliveries in flight at once in this process. */
  concurrency?: number;
  /** Consumer name in the stream's consumer group; stable across restarts so a restart re-reads its own pending entries. */
  consumer?: string;
  /** Unacknowledged stream entries of another consumer idle this long are taken over, ms (60 s). */
  claimIdleMs?: number;
  /** BullMQ lock of an active delivery, ms (30 s); a crashed worker's deliveries are retried after about this long. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** Where the metrics are registered (none when absent; they are on the returned handle either way). */
  registry?: Registry;
  /** Jitter source, for tests. */
  random?: () => number;
}

export interface WebhookDispatch {
  metrics: WebhookMetrics;
  /** Re-enables an endpoint disabled by a 410. */
  enableEndpoint(endpointId: string): Promise<void>;
  close(): Promise<void>;
}

export async function startWebhookDispatch(config: Config, deps: WebhookDispatchDeps, options: WebhookDispatchOptions = {}): Promise<WebhookDispatch> {
  const log = deps.log ?? createLogger('webhooks');
  const metrics = new WebhookMetrics(options.registry);
  const endpoints = new Map(config.webhooks.map((w) => [w.id, w]));
  const states = new EndpointStates(deps.redis, config.namespace, log, deps.pg);
  const enableEndpoint = async (id: string) => {
    const ep = endpoints.get(id);
    if (!ep) throw new Error(`no webhook endpoint "${id}" in the config`);
    await states.enable(ep);
  };
  if (endpoints.size === 0) return { metrics, enableEndpoint, close: async () => undefined };
  if (options.checkTargetsAtStart !== false) await vetWebhookTargets(config.webhooks, log);

  const schedule = options.retryScheduleSeconds ?? DEFAULT_RETRY_SCHEDULE_SECONDS;
  if (schedule.length === 0 || schedule.some((s) => !(s >= 0))) throw new Error('retryScheduleSeconds must be a non-empty list of seconds >= 0');
  const keys = webhookKeys(config.namespace);
  const deliveries: DeliveryLog = deps.pg ? new PgDeliveryLog(deps.pg, log) : new RedisDeliveryLog(deps.redis, config.namespace, log);
  await states.forgetStale(config.webhooks);

  // BullMQ wants connections that retry forever (maxRetriesPerRequest: null); the worker duplicates its own blocking one.
  const bullConnection = new Redis(config.redis.url, { maxRetriesPerRequest: null });
  const blocking = new Redis(config.redis.url, { maxRetriesPerRequest: null });
  for (const conn of [bullConnection, blocking]) conn.on('error', () => undefined);

  const queue = new Queue<DeliveryJob>(keys.queue, {
    connection: bullConnection,
    defaultJobOptions: { removeOnComplete: { age: 24 * 3600 }, removeOnFail: { age: 7 * 24 * 3600 } },
  });
  const worker = new Worker<DeliveryJob>(
    keys.queue,
    (job) =>
      deliverOnce(job, {
        endpoints,
        schedule,
        states,
        deliveries,
        metrics,
        log,
        timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        maxRetryAfterSeconds: options.maxRetryAfterSeconds ?? DEFAULT_MAX_RETRY_AFTER_SECONDS,
        random: options.random,
      }),
    {
      connection: bullConnection,
      concurrency: options.concurrency ?? 8,
      lockDuration: options.lockDurationMs ?? 30_000,
      stalledInterval: options.stalledIntervalMs ?? 30_000,
      // A delivery cut off by a crash is retried, not failed, after a stall; a few in a row still end it.
      maxStalledCount: 5,
      settings: {
        // The processor decides each delay (schedule step or retry-after) and carries it on the error.
        backoffStrategy: (attemptsMade, _type, err) => (err instanceof RetryLaterError ? err.delayMs : (attemptDelayMs(attemptsMade + 1, schedule, options.random) ?? 0)),
      },
    },
  );
  worker.on('error', (err) => log.warn('webhook worker error', { error: err }));
  queue.on('error', (err) => log.warn('webhook queue error', { error: err }));

  const dispatcher = new StreamDispatcher(blocking, deps.redis, queue, states, metrics, log, {
    streamKey: redisKeys(config.namespace).alertEvents,
    group: keys.group,
    consumer: options.consumer ?? hostname(),
    endpoints: config.webhooks,
    firstDelayMs: () => attemptDelayMs(1, schedule, options.random) ?? 0,
    attempts: schedule.length,
    blockMs: 2000,
    claimIdleMs: options.claimIdleMs ?? 60_000,
  });
  try {
    await dispatcher.start();
  } catch (err) {
    await Promise.allSettled([worker.close(), queue.close()]);
    bullConnection.disconnect();
    blocking.disconnect();
    throw err;
  }
  log.info('webhook dispatch started', { endpoints: [...endpoints.keys()].join(','), deliveries: deps.pg ? 'postgresql' : 'redis' });

  return {
    metrics,
    enableEndpoint,
    async close() {
      await dispatcher.stop();
      await worker.close();
      await queue.close();
      bullConnection.disconnect();
    },
  };
}
