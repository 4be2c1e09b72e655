/**
 * Chaos with real parts: two `vigil worker` processes share one camera's frames; one is killed with
 * SIGKILL while an alert is open. The other carries on: the alert keeps its one `open`, gets its one
 * `close`, no event is doubled (by event id), and frames go on being scored. Waits for states (camera
 * live, alert opened, alert closed), never for a wall-clock window.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertEvent } from '@vigil/core';
import { LiveClient } from '@vigil/client';
import { renderInjectedVideo, type AnomalySpec } from '@vigil/anomaly';
import { REPO_ROOT } from '../support/vigilProcess.js';
import { VigilStack } from '../support/vigilStack.js';
import { waitFor as waitUntil } from '../support/waitFor.js';

const TOKEN = `tok-${randomBytes(8).toString('hex')}`;
/** After the background pair has half a minute of footage: a car-sized object drives into the near lane and stands 20 s. */
const STOPPED: AnomalySpec = {
  kind: 'stopped-vehicle',
  startSeconds: 42,
  durationSeconds: 20,
  size: { width: 0.15, height: 0.14 },
  position: { x: 0.6, y: 0.72 },
  velocity: { x: 0.08, y: 0.1 },
  enterSeconds: 1,
};
const figures = (msg: string) => process.stdout.write(`  [figures] ${msg}\n`);

let stack: VigilStack;
let client: LiveClient;
const live: { at: number; ev: AlertEvent }[] = [];

const waitFor = <T>(what: string, get: () => T | undefined | Promise<T | undefined>, timeoutMs = 150_000) => waitUntil(what, get, timeoutMs, () => stack.logs());

beforeAll(async () => {
  const clip = join(REPO_ROOT, '.vigil/test-cache/e2e-street-stopped-42s.mp4');
  await renderInjectedVideo({ src: join(REPO_ROOT, 'footage/street.mp4'), out: clip, repeat: 2, anomalies: [STOPPED] });
  stack = await VigilStack.start({ clip, tokens: [{ token: TOKEN, role: 'operator' }], learnSeconds: 15, alerts: { confirmFrames: 3, confirmSeconds: 1.5, quietSeconds: 3 } });
  stack.startService('worker2');
  await stack.waitForGateway();
  client = new LiveClient({ url: stack.url, token: TOKEN });
  client.on('alert', (ev) => live.push({ at: Date.now(), ev }));
  await client.connectWithRetry(30_000);
}, 120_000);

afterAll(async () => {
  client?.close();
  await stack?.stop();
});

describe('a worker killed while an alert is open', () => {
  it('leaves one open and one close for the alert, no event doubled, and scoring goes on', async () => {
    const open = await waitFor('the alert to open', () => live.find((e) => e.ev.event === 'open'));
    const scoredBefore = Number(await stack.redis.hget(`${stack.ns}:camera:cam1`, 'scored'));
    await stack.killService('worker');
    const killedAt = Date.now();
    const close = await waitFor('the alert to close', () => live.find((e) => e.ev.event === 'close' && e.ev.alert.id === open.ev.alert.id));
    const scoredAfter = Number(await stack.redis.hget(`${stack.ns}:camera:cam1`, 'scored'));
    figures(`alert open → worker killed; the alert closed ${((close.at - killedAt) / 1000).toFixed(1)} s later; ${scoredAfter - scoredBefore} frames scored meanwhile by the other worker`);

    const stream = await stack.alertEvents();
    expect(new Set(stream.map((e) => e.eventId)).size).toBe(stream.length);
    const life = stream.filter((e) => e.alert.id === open.ev.alert.id).map((e) => e.event);
    expect(life.filter((e) => e === 'open')).toHaveLength(1);
    expect(life.filter((e) => e === 'close')).toHaveLength(1);
    expect(life[0]).toBe('open');
    expect(life.at(-1)).toBe('close');
    // The live client saw each event once, too.
    const seen = live.map((e) => e.ev.eventId);
    expect(new Set(seen).size).toBe(seen.length);
    expect(scoredAfter).toBeGreaterThan(scoredBefore);
    // Every alert of the run opened once and closed at most once.
    for (const id of new Set(stream.map((e) => e.alert.id))) {
      const events = stream.filter((e) => e.alert.id === id).map((e) => e.event);
      expect(events.filter((e) => e === 'open')).toHaveLength(1);
      expect(events.filter((e) => e === 'close').length).toBeLessThanOrEqual(1);
    }
  }, 200_000);
});
