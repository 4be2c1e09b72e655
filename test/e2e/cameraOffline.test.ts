/**
 * Camera health as alerts, with real parts: a GStreamer RTSP camera, `vigil ingest`, `vigil worker`,
 * `vigil gateway` with its PostgreSQL history and a webhook receiver. The camera's RTSP server is stopped:
 * a `camera-offline` alert must reach a WebSocket client, the webhook receiver (signed) and the history;
 * when the server is back the camera reconnects by itself and the alert closes, once, on every path.
 * Waits for states (camera live, events received), never for a wall-clock window.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertEvent } from '@vigil/core';
import { LiveClient } from '@vigil/client';
import { REPO_ROOT } from '../support/vigilProcess.js';
import { VigilStack } from '../support/vigilStack.js';
import { waitFor as waitUntil } from '../support/waitFor.js';
import { WebhookReceiver } from '../../services/gateway/test/webhooks/receiver.js';

const TOKEN = `tok-${randomBytes(8).toString('hex')}`;
const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const OFFLINE_SECONDS = 3;
const figures = (msg: string) => process.stdout.write(`  [figures] ${msg}\n`);

let stack: VigilStack;
let receiver: WebhookReceiver;
let client: LiveClient;
const live: { at: number; ev: AlertEvent }[] = [];

const waitFor = <T>(what: string, get: () => T | undefined | Promise<T | undefined>, timeoutMs = 90_000) => waitUntil(what, get, timeoutMs, () => stack.logs());

const offlineEvents = () => live.filter((e) => e.ev.alert.kind === 'camera-offline');
const webhookBodies = () => receiver.received.map((r) => ({ r, body: JSON.parse(r.body) as AlertEvent })).filter((x) => x.body.alert?.kind === 'camera-offline');

async function history(id: string): Promise<{ alert: { kind: string; state: string; reason: string | null; endedAt: string | null }; events: { kind: string }[] } | undefined> {
  const res = await fetch(`${stack.url}/v1/alerts/${id}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  return res.status === 200 ? ((await res.json()) as never) : undefined;
}

beforeAll(async () => {
  receiver = await WebhookReceiver.start();
  stack = await VigilStack.start({
    clip: join(REPO_ROOT, 'footage/street.mp4'),
    tokens: [{ token: TOKEN, role: 'operator' }],
    // Learning never finishes in this test: camera health does not need a model.
    learnSeconds: 3600,
    offlineSeconds: OFFLINE_SECONDS,
    webhooks: [{ id: 'ops', url: `${receiver.url}/hook`, secret: SECRET }],
  });
  await stack.waitForGateway();
  client = new LiveClient({ url: stack.url, token: TOKEN });
  client.on('alert', (ev) => live.push({ at: Date.now(), ev }));
  await client.connectWithRetry(30_000);
  await stack.waitForCameraState('learning', Date.now() + 60_000);
}, 120_000);

afterAll(async () => {
  client?.close();
  await stack?.stop();
  await receiver?.close();
});

describe('a camera that goes dark', () => {
  let alertId: string;
  let droppedAt: number;

  it('opens a camera-offline alert on the WebSocket, by webhook and in the history', async () => {
    expect(offlineEvents()).toEqual([]);
    droppedAt = Date.now();
    await stack.dropCamera();
    const open = await waitFor('the camera-offline open on the WebSocket', () => offlineEvents().find((e) => e.ev.event === 'open'));
    alertId = open.ev.alert.id;
    figures(`camera dropped → offline alert on the WebSocket after ${((open.at - droppedAt) / 1000).toFixed(1)} s (offlineSeconds ${OFFLINE_SECONDS}, plus the source noticing)`);
    expect(open.ev.alert).toMatchObject({ cameraId: 'cam1', kind: 'camera-offline', state: 'open' });
    expect(open.ev.alert.reason).toBeTruthy();
    expect(open.ev.alert.regions).toHaveLength(1);
    // It opened only once the camera had been dark for offlineSeconds.
    expect(Date.parse(open.ev.alert.updatedAt) - Date.parse(open.ev.alert.startedAt)).toBeGreaterThanOrEqual(OFFLINE_SECONDS * 1000 - 50);

    const hook = await waitFor('the webhook of the open', () => webhookBodies().find((x) => x.body.event === 'open'));
    expect(hook.body.eventId).toBe(open.ev.eventId);
    expect(new Webhook(SECRET).verify(hook.r.body, hook.r.headers as Record<string, string>)).toMatchObject({ event: 'open', alert: { id: alertId, kind: 'camera-offline' } });

    const stored = await waitFor('the alert in the history', async () => (await history(alertId)) ?? undefined);
    expect(stored.alert).toMatchObject({ kind: 'camera-offline', state: 'open', endedAt: null });
    expect(stored.alert.reason).toBeTruthy();
  }, 120_000);

  it('closes it once when the camera is back, which reconnects by itself', async () => {
    const restoredAt = Date.now();
    await stack.restoreCamera();
    const close = await waitFor('the camera-offline close on the WebSocket', () => offlineEvents().find((e) => e.ev.event === 'close'));
    await stack.waitForCameraState('learning', Date.now() + 60_000);
    figures(`camera restored → alert closed after ${((close.at - restoredAt) / 1000).toFixed(1)} s`);
    expect(close.ev.alert).toMatchObject({ id: alertId, kind: 'camera-offline', state: 'closed' });
    // It ended when frames came back: after it opened.
    const opened = offlineEvents().find((e) => e.ev.event === 'open')!.ev.alert;
    expect(Date.parse(close.ev.alert.endedAt!)).toBeGreaterThanOrEqual(Date.parse(opened.updatedAt));
    expect(close.ev.alert.startedAt).toBe(opened.startedAt);

    await waitFor('the webhook of the close', () => webhookBodies().find((x) => x.body.event === 'close'));
    const stored = await waitFor('the closed alert in the history', async () => {
      const h = await history(alertId);
      return h?.alert.state === 'closed' ? h : undefined;
    });
    expect(stored.alert.endedAt).not.toBeNull();
    expect(stored.events.map((e) => e.kind)).toEqual(['open', 'close']);

    // One open and one close, on every path, by event id.
    const ids = offlineEvents().map((e) => e.ev.eventId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(offlineEvents().map((e) => e.ev.event)).toEqual(['open', 'close']);
    const hooks = webhookBodies().map((x) => x.body.eventId);
    expect([...new Set(hooks)].sort()).toEqual([...ids].sort());
    for (const { r } of webhookBodies()) expect(() => new Webhook(SECRET).verify(r.body, r.headers as Record<string, string>)).not.toThrow();
  }, 120_000);
});
