/**
 * Webhook delivery end to end with real parts: alert events XADDed to Redis, the consumer group and
 * BullMQ queue, a real HTTP receiver on 127.0.0.1, attempts recorded in PostgreSQL.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type pg from 'pg';
import { Registry } from 'prom-client';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisKeys, type Config, type Logger } from '@vigil/core';
import { RedisDeliveryLog, startWebhookDispatch, webhookKeys, type WebhookDispatch, type WebhookDispatchOptions } from '../src/webhooks/index.js';
import { addAlertEvent, dropNamespace, migratedSchema, REDIS_URL, webhookConfig, type EndpointSpec } from './webhooks/fixtures.js';
import { WebhookReceiver, type Responder } from './webhooks/receiver.js';

const FAST: WebhookDispatchOptions = { retryScheduleSeconds: [0, 0.2, 0.4], claimIdleMs: 60_000 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let redis: Redis;
let receiver: WebhookReceiver;
let db: Awaited<ReturnType<typeof migratedSchema>>;
const responders = new Map<string, Responder>();
/** Every log line of the dispatchers, so tests can assert what an operator would read. */
const logged: Array<{ level: string; msg: string; fields?: Record<string, unknown> }> = [];
const log: Logger = {
  debug: (msg, fields) => logged.push({ level: 'debug', msg, fields }),
  info: (msg, fields) => logged.push({ level: 'info', msg, fields }),
  warn: (msg, fields) => logged.push({ level: 'warn', msg, fields }),
  error: (msg, fields) => logged.push({ level: 'error', msg, fields }),
};
const running: Array<{ dispatch: WebhookDispatch; config: Config }> = [];

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  db = await migratedSchema();
  // One receiver; each endpoint gets a path, and the path picks the test's responder.
  receiver = await WebhookReceiver.start((req, nth) => (responders.get(req.path) ?? (() => ({ status: 204 })))(req, nth));
});

afterAll(async () => {
  for (const r of running) {
    await r.dispatch.close();
    await dropNamespace(redis, r.config.namespace);
  }
  await receiver?.close();
  await db?.drop();
  redis?.disconnect();
});

async function start(endpoints: EndpointSpec[], options: WebhookDispatchOptions = {}, withPg = true, namespace?: string) {
  const config = webhookConfig(endpoints, namespace);
  const dispatch = await startWebhookDispatch(config, { redis, pg: withPg ? db.pool : undefined, log }, { ...FAST, ...options });
  running.push({ dispatch, config });
  return { config, dispatch, ns: config.namespace };
}

interface DeliveryRow {
  endpoint_id: string;
  event_id: string;
  webhook_id: string;
  attempt: number;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  next_attempt_at: Date | null;
  state: string;
}

async function deliveryRows(pool: pg.Pool, endpointId: string): Promise<DeliveryRow[]> {
  const res = await pool.query<DeliveryRow>('SELECT * FROM webhook_deliveries WHERE endpoint_id = $1 ORDER BY id', [endpointId]);
  return res.rows;
}

async function waitFor<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out; last value ${JSON.stringify(v)}`);
    await sleep(100);
  }
}

describe('signed webhooks', () => {
  it('POSTs the alert event signed per Standard Webhooks; the reference verifier accepts it and rejects a tampered body', async () => {
    const { config, ns } = await start([{ id: 'signed', url: `${receiver.url}/signed` }]);
    const eventId = await addAlertEvent(redis, ns, 'cam1', 'open');
    await receiver.waitUntil(() => receiver.at('/signed').length === 1);
    const [got] = receiver.at('/signed');
    const headers = got!.headers as Record<string, string>;

    expect(headers['content-type']).toBe('application/json');
    expect(headers['user-agent']).toMatch(/^vigil-webhooks\//);
    expect(headers['webhook-id']).toBe(`msg_${eventId}`);
    expect(Math.abs(Number(headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(10);
    const body = JSON.parse(got!.body) as { type: string; event: string; eventId: string; alert: { cameraId: string } };
    expect(body).toMatchObject({ type: 'alert', event: 'open', eventId, alert: { cameraId: 'cam1' } });

    const verifier = new Webhook(config.webhooks[0]!.secret);
    expect(verifier.verify(got!.body, headers)).toEqual(body);
    expect(() => verifier.verify(got!.body.replace('"cam1"', '"cam2"'), headers)).toThrow(/signature/i);
  });

  it('sends only events of the cameras an endpoint lists', async () => {
    const { ns } = await start([
      { id: 'only-cam2', url: `${receiver.url}/only-cam2`, cameras: ['cam2'] },
      { id: 'all', url: `${receiver.url}/all` },
    ]);
    await addAlertEvent(redis, ns, 'cam1');
    const cam2 = await addAlertEvent(redis, ns, 'cam2');
    await receiver.waitUntil(() => receiver.at('/all').length === 2);
    await receiver.waitUntil(() => receiver.at('/only-cam2').length === 1);
    await sleep(300);
    expect(receiver.at('/only-cam2').map((r) => r.headers['webhook-id'])).toEqual([`msg_${cam2}`]);
  });
});

describe('retries', () => {
  it('a receiver answering 500 twice then 200 gets the event three times with the same webhook-id, each attempt recorded in PostgreSQL', async () => {
    responders.set('/flaky', (_req, nth) => ({ status: nth < 2 ? 500 : 200 }));
    const { config, ns } = await start([{ id: 'flaky', url: `${receiver.url}/flaky` }]);
    const eventId = await addAlertEvent(redis, ns);
    await receiver.waitUntil(() => receiver.at('/flaky').length === 3, 10_000, 'three attempts');
    const got = receiver.at('/flaky');
    expect(new Set(got.map((r) => r.headers['webhook-id']))).toEqual(new Set([`msg_${eventId}`]));
    expect(new Set(got.map((r) => r.body)).size).toBe(1);
    // Each attempt is signed anew (its own timestamp) and verifies.
    const verifier = new Webhook(config.webhooks[0]!.secret);
    for (const r of got) expect(() => verifier.verify(r.body, r.headers as Record<string, string>)).not.toThrow();
    // Compressed schedule: the 2nd attempt ~0.2 s after the 1st, the 3rd ~0.4 s after the 2nd (±20 %, plus queue latency).
    const gaps = [got[1]!.at - got[0]!.at, got[2]!.at - got[1]!.at];
    expect(gaps[0]).toBeGreaterThanOrEqual(150);
    expect(gaps[1]).toBeGreaterThanOrEqual(310);
    expect(Math.max(...gaps)).toBeLessThan(3000);

    const rows = await waitFor(
      () => deliveryRows(db.pool, 'flaky'),
      (r) => r.length === 3,
    );
    expect(rows.map((r) => [r.attempt, r.status_code, r.state])).toEqual([
      [1, 500, 'retrying'],
      [2, 500, 'retrying'],
      [3, 200, 'delivered'],
    ]);
    expect(rows.every((r) => r.event_id === eventId && r.webhook_id === `msg_${eventId}` && r.duration_ms >= 0)).toBe(true);
    expect(rows[0]!.next_attempt_at).toBeInstanceOf(Date);
    expect(rows[2]!.next_attempt_at).toBeNull();
  });

  it('gives up after the last step of the schedule and records the failure', async () => {
    responders.set('/down', () => ({ status: 502 }));
    const { dispatch, ns } = await start([{ id: 'down', url: `${receiver.url}/down` }]);
    await addAlertEvent(redis, ns);
    const rows = await waitFor(
      () => deliveryRows(db.pool, 'down'),
      (r) => r.some((x) => x.state === 'failed'),
    );
    expect(rows.map((r) => r.state)).toEqual(['retrying', 'retrying', 'failed']);
    await sleep(800);
    expect(receiver.at('/down')).toHaveLength(3);
    const failed = await dispatch.metrics.failed.get();
    expect(failed.values.find((v) => v.labels.endpoint === 'down' && v.labels.reason === 'exhausted')?.value).toBe(1);
  });

  it("a 429 with retry-after: 1 waits about a second before the next attempt, not the schedule's 0.2 s", async () => {
    responders.set('/busy', (_req, nth) => (nth === 0 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 }));
    const { ns } = await start([{ id: 'busy', url: `${receiver.url}/busy` }]);
    await addAlertEvent(redis, ns);
    await receiver.waitUntil(() => receiver.at('/busy').length === 2, 10_000, 'the retry after 429');
    const [first, second] = receiver.at('/busy');
    const gap = second!.at - first!.at;
    expect(gap).toBeGreaterThanOrEqual(950);
    expect(gap).toBeLessThan(2500);
    const rows = await waitFor(
      () => deliveryRows(db.pool, 'busy'),
      (r) => r.length === 2,
    );
    expect(rows.map((r) => [r.status_code, r.state])).toEqual([
      [429, 'retrying'],
      [200, 'delivered'],
    ]);
  });

  it('a network error (nothing listening) is retried on the schedule and recorded with its error', async () => {
    const dead = await WebhookReceiver.start();
    const url = dead.url;
    await dead.close();
    const { ns } = await start([{ id: 'refused-conn', url: `${url}/x` }], { retryScheduleSeconds: [0, 0.1] });
    await addAlertEvent(redis, ns);
    const rows = await waitFor(
      () => deliveryRows(db.pool, 'refused-conn'),
      (r) => r.length === 2,
    );
    expect(rows.map((r) => r.state)).toEqual(['retrying', 'failed']);
    expect(rows[0]!.status_code).toBeNull();
    expect(rows[0]!.error).toMatch(/ECONNREFUSED/);
  });
});

describe('timeout', () => {
  it('an endpoint that does not answer in time counts as a failed attempt and is retried', async () => {
    responders.set('/slow', (_req, nth) => (nth === 0 ? { status: 200, delayMs: 3000 } : { status: 200 }));
    const { ns } = await start([{ id: 'slow', url: `${receiver.url}/slow` }], { timeoutMs: 300 });
    await addAlertEvent(redis, ns);
    const rows = await waitFor(
      () => deliveryRows(db.pool, 'slow'),
      (r) => r.length === 2,
    );
    expect(rows.map((r) => r.state)).toEqual(['retrying', 'delivered']);
    expect(rows[0]!.error).toBe('no complete reply within 0.3 s');
    expect(rows[0]!.duration_ms).toBeGreaterThanOrEqual(290);
    expect(rows[0]!.duration_ms).toBeLessThan(1500);
  });
});

describe('410 Gone', () => {
  it('disables the endpoint: later events are not POSTed to it (others still are), and the state is recorded', async () => {
    responders.set('/gone', () => ({ status: 410 }));
    const { dispatch, ns } = await start([
      { id: 'gone', url: `${receiver.url}/gone` },
      { id: 'alive', url: `${receiver.url}/alive` },
    ]);
    const first = await addAlertEvent(redis, ns);
    await receiver.waitUntil(() => receiver.at('/gone').length === 1 && receiver.at('/alive').length === 1);
    const rows = await waitFor(
      () => deliveryRows(db.pool, 'gone'),
      (r) => r.length === 1,
    );
    expect(rows[0]).toMatchObject({ event_id: first, status_code: 410, state: 'gone' });
    await waitFor(
      async () => (await db.pool.query('SELECT state FROM webhook_endpoints WHERE endpoint_id = $1', ['gone'])).rows,
      (r) => r[0]?.state === 'disabled',
    );
    expect(await redis.hexists(webhookKeys(ns).disabled, 'gone')).toBe(1);

    await addAlertEvent(redis, ns);
    await addAlertEvent(redis, ns);
    await receiver.waitUntil(() => receiver.at('/alive').length === 3);
    await sleep(500);
    expect(receiver.at('/gone')).toHaveLength(1);

    // An operator's reset turns it back on.
    responders.set('/gone', () => ({ status: 200 }));
    await dispatch.enableEndpoint('gone');
    await addAlertEvent(redis, ns);
    await receiver.waitUntil(() => receiver.at('/gone').length === 2);
    expect((await db.pool.query('SELECT state FROM webhook_endpoints WHERE endpoint_id = $1', ['gone'])).rows[0]?.state).toBe('active');
  });

  it('stays disabled across a restart with the same URL', async () => {
    responders.set('/gone2', () => ({ status: 410 }));
    const { config, dispatch, ns } = await start([{ id: 'gone2', url: `${receiver.url}/gone2` }]);
    await addAlertEvent(redis, ns);
    await waitFor(
      () => redis.hexists(webhookKeys(ns).disabled, 'gone2'),
      (v) => v === 1,
    );
    await dispatch.close();
    running.splice(
      running.findIndex((r) => r.dispatch === dispatch),
      1,
    );
    const again = await startWebhookDispatch(config, { redis, pg: db.pool, log }, FAST);
    running.push({ dispatch: again, config });
    await addAlertEvent(redis, ns);
    await sleep(1000);
    expect(receiver.at('/gone2')).toHaveLength(1);
  });

  it('is enabled again when the config gives the endpoint another URL', async () => {
    responders.set('/gone3', () => ({ status: 410 }));
    const { dispatch, ns } = await start([{ id: 'gone3', url: `${receiver.url}/gone3` }]);
    await addAlertEvent(redis, ns);
    await waitFor(
      () => redis.hexists(webhookKeys(ns).disabled, 'gone3'),
      (v) => v === 1,
    );
    await dispatch.close();
    running.splice(
      running.findIndex((r) => r.dispatch === dispatch),
      1,
    );
    await start([{ id: 'gone3', url: `${receiver.url}/gone3-moved` }], {}, true, ns);
    const eventId = await addAlertEvent(redis, ns);
    await receiver.waitUntil(() => receiver.at('/gone3-moved').length === 1);
    expect(receiver.at('/gone3-moved')[0]!.headers['webhook-id']).toBe(`msg_${eventId}`);
    expect(await redis.hexists(webhookKeys(ns).disabled, 'gone3')).toBe(0);
  });
});

describe('SSRF guard', () => {
  it('refuses to start with a private target without allowPrivateNetwork, naming the endpoint', async () => {
    await expect(start([{ id: 'private', url: `${receiver.url}/private`, allowPrivateNetwork: false }])).rejects.toThrow(
      /webhooks: endpoint "private": refused webhook target 127\.0\.0\.1:\d+: 127\.0\.0\.1 is a loopback address/,
    );
    await expect(start([{ id: 'named', url: `${receiver.url.replace('127.0.0.1', 'localhost')}/named`, allowPrivateNetwork: false }])).rejects.toThrow(
      /endpoint "named": .*(127\.0\.0\.1|::1) is a loopback address/,
    );
    await expect(start([{ id: 'metadata', url: 'http://[::ffff:0:a9fe:a9fe]/latest', allowPrivateNetwork: false }])).rejects.toThrow(/endpoint "metadata": .* is a link-local address/);
  });

  it('refuses loopback targets at delivery too (a name may resolve elsewhere later): no request, a clear error recorded', async () => {
    const registry = new Registry();
    const { ns } = await start(
      [
        { id: 'private', url: `${receiver.url}/private`, allowPrivateNetwork: false },
        { id: 'named', url: `${receiver.url.replace('127.0.0.1', 'localhost')}/named`, allowPrivateNetwork: false },
      ],
      { registry, checkTargetsAtStart: false },
    );
    await addAlertEvent(redis, ns);
    const rows = await waitFor(
      () => deliveryRows(db.pool, 'private'),
      (r) => r.length === 1,
    );
    expect(rows[0]).toMatchObject({ state: 'refused', status_code: null, attempt: 1 });
    expect(rows[0]!.error).toMatch(/refused webhook target 127\.0\.0\.1:\d+: 127\.0\.0\.1 is a loopback address/);
    const named = await waitFor(
      () => deliveryRows(db.pool, 'named'),
      (r) => r.length === 1,
    );
    expect(named[0]!.error).toMatch(/localhost:\d+: (127\.0\.0\.1|::1) is a loopback address/);
    await sleep(500);
    expect(receiver.at('/private')).toHaveLength(0);
    expect(receiver.at('/named')).toHaveLength(0);
    expect(await registry.metrics()).toMatch(/vigil_webhook_failed_total\{endpoint="private",reason="refused"\} 1/);
    const line = logged.find((l) => l.level === 'error' && l.fields?.endpoint === 'private');
    expect(line?.msg).toBe('webhook target refused');
    expect(line?.fields?.error).toMatch(/127\.0\.0\.1 is a loopback address \(set allowPrivateNetwork: true/);
  });
});

describe('without PostgreSQL', () => {
  it('keeps delivery attempts in a bounded Redis list', async () => {
    responders.set('/nopg', (_req, nth) => ({ status: nth === 0 ? 503 : 204 }));
    const { ns } = await start([{ id: 'nopg', url: `${receiver.url}/nopg` }], {}, false);
    const eventId = await addAlertEvent(redis, ns);
    const log = new RedisDeliveryLog(redis, ns, { debug() {}, info() {}, warn() {}, error() {} });
    const recent = await waitFor(
      () => log.recent(),
      (r) => r.length === 2,
    );
    expect(recent.map((r) => [r.attempt, r.statusCode, r.state])).toEqual([
      [2, 204, 'delivered'],
      [1, 503, 'retrying'],
    ]);
    expect(recent[0]!.eventId).toBe(eventId);
    expect(await deliveryRows(db.pool, 'nopg')).toHaveLength(0);
  });
});

describe('recovery of the stream consumer group', () => {
  it("dispatches entries read but never acknowledged (its own after a restart, a dead consumer's after claimIdleMs) without duplicating jobs already queued", async () => {
    const config = webhookConfig([{ id: 'recover', url: `${receiver.url}/recover` }]);
    const ns = config.namespace;
    const stream = redisKeys(ns).alertEvents;
    await redis.xgroup('CREATE', stream, 'webhooks', '$', 'MKSTREAM');
    const own = [await addAlertEvent(redis, ns), await addAlertEvent(redis, ns), await addAlertEvent(redis, ns)];
    // A previous run of consumer "gw-a" read these and crashed before XACK; for the first it had already queued the job.
    await redis.xreadgroup('GROUP', 'webhooks', 'gw-a', 'COUNT', 10, 'STREAMS', stream, '>');
    const queue = new Queue(webhookKeys(ns).queue, { connection: { url: REDIS_URL } });
    await queue.add('deliver', { endpointId: 'recover', eventId: own[0], webhookId: `msg_${own[0]}`, body: '{"early":true}' }, { jobId: `recover.${own[0]}`, delay: 1500 });
    await queue.close();
    // Another consumer read these and died.
    const dead = [await addAlertEvent(redis, ns), await addAlertEvent(redis, ns)];
    await redis.xreadgroup('GROUP', 'webhooks', 'gw-dead', 'COUNT', 10, 'STREAMS', stream, '>');

    await start([{ id: 'recover', url: `${receiver.url}/recover` }], { consumer: 'gw-a', claimIdleMs: 300 }, true, ns);
    const expected = [...own, ...dead].map((id) => `msg_${id}`);
    await receiver.waitUntil(() => expected.every((id) => receiver.at('/recover').some((r) => r.headers['webhook-id'] === id)), 15_000, 'the pending entries');
    await sleep(500);
    const got = receiver.at('/recover');
    expect(got.map((r) => r.headers['webhook-id']).sort()).toEqual([...expected].sort());
    // The job queued before the crash was kept, not replaced: its body is the one it was queued with.
    expect(got.find((r) => r.headers['webhook-id'] === `msg_${own[0]}`)!.body).toBe('{"early":true}');
    const pending = (await redis.xpending(stream, 'webhooks')) as [number, ...unknown[]];
    expect(pending[0]).toBe(0);
  });
});
