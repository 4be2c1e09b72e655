/**
 * One delivery attempt of one alert event to one endpoint, as a BullMQ processor: sign, guard the
 * target, POST, record the attempt, and decide what comes next (done, retry when, or give up).
 */
import { UnrecoverableError } from 'bullmq';
import type { Logger, WebhookConfig } from '@vigil/core';
import type { DeliveryLog, DeliveryRecord } from './deliveryLog.js';
import type { EndpointStates } from './endpointState.js';
import { RetryLaterError, TargetRefusedError } from './errors.js';
import type { WebhookMetrics } from './metrics.js';
import { attemptDelayMs, retryAfterMs } from './schedule.js';
import { postWebhook } from './send.js';
import { signedHeaders } from './signature.js';
import { resolveTarget } from './targetGuard.js';

/** What a queued delivery carries; the body is serialised once so every retry sends the same bytes. */
export interface DeliveryJob {
  endpointId: string;
  eventId: string;
  webhookId: string;
  body: string;
}

/** The part of a BullMQ job the processor reads (so unit tests need no queue). */
export interface DeliveryAttempt {
  data: DeliveryJob;
  /** Attempts that already failed. */
  attemptsMade: number;
  opts: { attempts?: number };
}

export interface DeliveryContext {
  endpoints: ReadonlyMap<string, WebhookConfig>;
  schedule: readonly number[];
  states: EndpointStates;
  deliveries: DeliveryLog;
  metrics: WebhookMetrics;
  log: Logger;
  timeoutMs: number;
  maxRetryAfterSeconds: number;
  random?: () => number;
}

export type DeliveryOutcome = 'delivered' | 'gone' | 'skipped';

/** Resolves when the attempt needs no other; throws RetryLaterError to be tried again, or UnrecoverableError / Error to give up. */
export async function deliverOnce(job: DeliveryAttempt, ctx: DeliveryContext): Promise<DeliveryOutcome> {
  const { endpointId, eventId, webhookId, body } = job.data;
  const attempt = job.attemptsMade + 1;
  const maxAttempts = job.opts.attempts ?? ctx.schedule.length;
  const started = Date.now();
  const base = { endpointId, eventId, webhookId, attempt, attemptedAt: new Date(started) };
  const record = (rest: Omit<DeliveryRecord, keyof typeof base>) => ctx.deliveries.record({ ...base, ...rest });

  const endpoint = ctx.endpoints.get(endpointId);
  if (!endpoint || (await ctx.states.isDisabled(endpoint))) {
    await record({ durationMs: 0, state: 'skipped', error: endpoint ? 'endpoint disabled' : 'endpoint no longer configured' });
    return 'skipped';
  }

  let status: number | undefined;
  let retryAfter: string | undefined;
  let error: string | undefined;
  try {
    const target = await resolveTarget(endpoint.url, endpoint.allowPrivateNetwork);
    ({ status, retryAfter } = await postWebhook(target, signedHeaders(endpoint.secret, webhookId, body), body, ctx.timeoutMs));
  } catch (err) {
    if (err instanceof TargetRefusedError) {
      ctx.log.error('webhook target refused', { endpoint: endpointId, eventId, error: err.message });
      await record({ durationMs: Date.now() - started, state: 'refused', error: err.message });
      ctx.metrics.failed.inc({ endpoint: endpointId, reason: 'refused' });
      throw new UnrecoverableError(err.message);
    }
    error = (err as Error).message;
  }
  const durationMs = Date.now() - started;
  ctx.metrics.latency.observe({ endpoint: endpointId }, durationMs / 1000);

  if (status !== undefined && status >= 200 && status < 300) {
    await record({ statusCode: status, durationMs, state: 'delivered' });
    ctx.metrics.delivered.inc({ endpoint: endpointId });
    return 'delivered';
  }
  if (status === 410) {
    // The receiver says this URL is gone for good: stop sending it anything until the config changes.
    await ctx.states.disable(endpoint, `410 Gone on event ${eventId}`);
    await record({ statusCode: status, durationMs, state: 'gone', error: 'endpoint answered 410 Gone; disabled' });
    ctx.metrics.failed.inc({ endpoint: endpointId, reason: 'gone' });
    ctx.log.warn('webhook endpoint answered 410 Gone; disabled until its URL changes or it is reset', { endpoint: endpointId });
    return 'gone';
  }

  const problem = status !== undefined ? `HTTP ${status}` : (error ?? 'unknown error');
  const honoured = status === 429 || status === 503 ? retryAfterMs(retryAfter, Date.now(), ctx.maxRetryAfterSeconds) : undefined;
  const scheduled = attemptDelayMs(attempt + 1, ctx.schedule, ctx.random);
  if (attempt >= maxAttempts || scheduled === undefined) {
    await record({ statusCode: status, error, durationMs, state: 'failed' });
    ctx.metrics.failed.inc({ endpoint: endpointId, reason: 'exhausted' });
    ctx.log.warn('webhook delivery given up', { endpoint: endpointId, eventId, attempts: attempt, last: problem });
    throw new UnrecoverableError(`gave up after ${attempt} attempts; last: ${problem}`);
  }
  const delayMs = honoured ?? scheduled;
  await record({ statusCode: status, error, durationMs, state: 'retrying', nextAttemptAt: new Date(Date.now() + delayMs) });
  ctx.metrics.retries.inc({ endpoint: endpointId });
  throw new RetryLaterError(`${problem}; retry in ${(delayMs / 1000).toFixed(1)} s`, delayMs);
}
