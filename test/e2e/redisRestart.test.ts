/**
 * Redis restarted without persistence under a live camera, with real parts: a Redis server of the
 * test's own, a GStreamer RTSP camera, `vigil ingest`, `vigil worker`, `vigil gateway`. Every key is
 * gone after the restart, the camera's model version included: scoring must resume by itself (the data
 * directory holds the model; Redis only caches which version is current) and `/healthz` must have
 * reported the gap. Waits for states (camera learning then live, frames scored), never for a clock.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisServer } from '../support/redisServer.js';
import { REPO_ROOT } from '../support/vigilProcess.js';
import { VigilStack } from '../support/vigilStack.js';
import { waitFor as waitUntil } from '../support/waitFor.js';

const TOKEN = `tok-${randomBytes(8).toString('hex')}`;
const figures = (msg: string) => process.stdout.write(`  [figures] ${msg}\n`);

let redis: RedisServer;
let stack: VigilStack;
/** Every /healthz answer while the test runs: its time and status. */
const health: { at: number; status: string }[] = [];
let polling = true;
let poller: Promise<void> | undefined;

/** Waits for a state; a read that fails (Redis restarting) counts as not yet. */
const waitFor = <T>(what: string, get: () => Promise<T | undefined>, timeoutMs = 120_000) =>
  waitUntil(
    what,
    () => get().catch(() => undefined),
    timeoutMs,
    () => stack.logs(),
  );

const scored = async () => Number((await stack.redis.hget(`${stack.ns}:camera:cam1`, 'scored')) ?? 0);

beforeAll(async () => {
  redis = await RedisServer.start();
  stack = await VigilStack.start({
    clip: join(REPO_ROOT, 'footage/street.mp4'),
    tokens: [{ token: TOKEN, role: 'viewer' }],
    learnSeconds: 10,
    redisUrl: redis.url,
    unscoredSeconds: 2,
  });
  await stack.waitForGateway();
  poller = (async () => {
    while (polling) {
      const status = await fetch(`${stack.url}/healthz`).then(
        async (r) => ((await r.json()) as { status: string }).status,
        () => 'unreachable',
      );
      health.push({ at: Date.now(), status });
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  // Learnt and scoring before the fault.
  await waitFor('frames scored before the restart', async () => ((await scored()) >= 10 ? true : undefined), 180_000);
}, 240_000);

afterAll(async () => {
  polling = false;
  await poller;
  await stack?.stop();
  await redis?.stop();
});

describe('Redis restarted without persistence under a live camera', () => {
  it('scoring resumes by itself, and /healthz reported the gap', async () => {
    expect(health.at(-1)!.status).toBe('ok');
    const killedAt = Date.now();
    await redis.kill();
    // Down until /healthz has said so (a state, not a duration), then back, empty.
    await waitFor('/healthz reporting Redis down', async () => health.find((h) => h.at > killedAt && h.status === 'unavailable')?.at);
    await redis.restart();
    const restartedAt = Date.now();
    expect(await stack.redis.dbsize()).toBeLessThan(5); // it came back empty

    const resumed = await waitFor('frames scored after the restart', async () => ((await scored()) >= 5 ? Date.now() : undefined));
    const healthyAgain = await waitFor('/healthz ok again after scoring resumed', async () => health.find((h) => h.at > resumed && h.status === 'ok')?.at);
    const gap = health.filter((h) => h.at >= killedAt && h.at <= healthyAgain && h.status !== 'ok');
    figures(
      `Redis down ${((restartedAt - killedAt) / 1000).toFixed(1)} s; scoring resumed ${((resumed - restartedAt) / 1000).toFixed(1)} s after it was back; ` +
        `/healthz said ${[...new Set(gap.map((h) => h.status))].join(', ')} ${gap.length} times, ok again ${((healthyAgain - restartedAt) / 1000).toFixed(1)} s after the restart`,
    );
    // The camera's model version came back from the data directory.
    expect(await stack.redis.get(`${stack.ns}:model:cam1`)).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{8}$/);
    // The gap was reported: unavailable while Redis was down, maybe degraded while frames went unscored.
    expect(gap.some((h) => h.status === 'unavailable')).toBe(true);
    expect(gap.every((h) => h.status === 'unavailable' || h.status === 'degraded' || h.status === 'unreachable')).toBe(true);
  }, 180_000);
});
