/**
 * At-least-once across a crash: the dispatch runs in a child process that is SIGKILLed while it is
 * delivering a batch; a new process picks up (stream entries read but not acknowledged, jobs whose
 * lock lapsed) and the receiver ends up with every event's webhook-id.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { addAlertEvent, dropNamespace, REDIS_URL, webhookConfig } from './webhooks/fixtures.js';
import { WebhookReceiver } from './webhooks/receiver.js';

const CHILD = fileURLToPath(new URL('./webhooks/dispatchChild.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

let redis: Redis;
let receiver: WebhookReceiver;
const children: ChildProcess[] = [];
let namespace = '';

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  // A slow receiver, so the kill lands while deliveries are in flight.
  receiver = await WebhookReceiver.start(() => ({ status: 200, delayMs: 150 }));
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await receiver?.close();
  if (namespace) await dropNamespace(redis, namespace);
  redis?.disconnect();
});

async function startChild(configJson: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    cwd: REPO_ROOT,
    env: { ...process.env, WEBHOOK_TEST_CONFIG: configJson, VIGIL_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('dispatch child not ready within 20 s')), 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`dispatch child exited with ${code}`)));
  });
  return child;
}

const ids = () => new Set(receiver.received.map((r) => String(r.headers['webhook-id'])));

it('SIGKILL of the dispatching process mid-batch loses no event: the receiver sees every webhook-id at least once', async () => {
  const config = webhookConfig([{ id: 'crash', url: `${receiver.url}/crash` }]);
  namespace = config.namespace;
  const configJson = JSON.stringify(config);

  const first = await startChild(configJson);
  const eventIds: string[] = [];
  for (let i = 0; i < 40; i++) eventIds.push(await addAlertEvent(redis, namespace, i % 2 ? 'cam1' : 'cam2'));
  await receiver.waitUntil(() => receiver.received.length >= 8, 15_000, '8 deliveries before the kill');
  first.kill('SIGKILL');
  await new Promise((resolve) => first.once('exit', resolve));
  const seenAtKill = ids().size;

  // Events keep coming while no dispatcher runs.
  for (let i = 0; i < 10; i++) eventIds.push(await addAlertEvent(redis, namespace));
  await startChild(configJson);

  const expected = eventIds.map((id) => `msg_${id}`);
  await receiver.waitUntil(() => expected.every((id) => ids().has(id)), 30_000, 'every webhook-id after the restart');
  const duplicates = receiver.received.length - ids().size;
  console.log(`crash test: ${seenAtKill}/40 events delivered at the kill, ${expected.length} delivered in all, ${duplicates} duplicate deliveries`);
  expect(seenAtKill).toBeLessThan(40);
  expect(ids()).toEqual(new Set(expected));
});

it('SIGKILL of the dispatching process while the receiver is down, then the receiver up: each event delivered once, signed', async () => {
  const config = webhookConfig([{ id: 'downup', url: `${receiver.url}/downup` }]);
  const previous = namespace;
  namespace = config.namespace;
  if (previous) await dropNamespace(redis, previous);
  const configJson = JSON.stringify(config);
  let up = false;
  const okAt = new Map<string, number>();
  // Down: 503 with a retry-after, so no event runs out of attempts while nobody dispatches.
  receiver.respond = (req) => {
    if (req.path !== '/downup') return { status: 404 };
    if (!up) return { status: 503, headers: { 'retry-after': '2' } };
    const id = String(req.headers['webhook-id']);
    okAt.set(id, (okAt.get(id) ?? 0) + 1);
    return { status: 204 };
  };
  const first = await startChild(configJson);
  const eventIds: string[] = [];
  for (let i = 0; i < 20; i++) eventIds.push(await addAlertEvent(redis, namespace, i % 2 ? 'cam1' : 'cam2'));
  await receiver.waitUntil(() => receiver.at('/downup').length >= 10, 15_000, '10 refused attempts before the kill');
  first.kill('SIGKILL');
  await new Promise((resolve) => first.once('exit', resolve));
  up = true;
  await startChild(configJson);

  const expected = eventIds.map((id) => `msg_${id}`);
  await receiver.waitUntil(() => expected.every((id) => okAt.has(id)), 60_000, 'every event accepted after the receiver came up');
  // Exactly once: no event was accepted twice.
  expect([...okAt.values()].every((n) => n === 1)).toBe(true);
  expect(new Set(okAt.keys())).toEqual(new Set(expected));
  const verifier = new Webhook(config.webhooks[0]!.secret);
  for (const r of receiver.at('/downup')) expect(() => verifier.verify(r.body, r.headers as Record<string, string>)).not.toThrow();
  console.log(`crash test, receiver down then up: ${receiver.at('/downup').length} requests for ${expected.length} events, each accepted once`);
}, 120_000);
