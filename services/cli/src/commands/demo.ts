/** `vigil demo`: a real clip served as a local RTSP camera with injected anomalies, the whole stack, alerts on the terminal. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { stringify } from 'yaml';
import { UsageError, type AlertEvent } from '@vigil/core';
import { LocalRtspServer } from '@vigil/video';
import { LiveClient } from '@vigil/client';
import { ServiceTree } from '../serviceTree.js';
import { renderDemoFootage } from '../demo/demoFootage.js';
import { formatAlertEvent } from '../alertFormat.js';

export interface DemoOptions {
  port: number;
  seconds?: number;
  untilAlert?: boolean;
  data: string;
}

const NAMESPACE = 'vigil-demo';

async function assertPortFree(port: number): Promise<void> {
  await new Promise<void>((ok, fail) => {
    const srv = createServer();
    srv.once('error', () => fail(new UsageError(`port ${port} is in use: pass another with --port`)));
    srv.listen(port, '0.0.0.0', () => srv.close(() => ok()));
  });
}

/** A fresh demo each run: forget the previous run's Redis state (the model files on disk are kept). */
async function clearDemoState(redisUrl: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await redis.connect().catch(() => {
      throw new UsageError(`cannot reach Redis at ${redisUrl}: start it, or set VIGIL_REDIS_URL`);
    });
    for (const pattern of [`${NAMESPACE}:*`, `bull:${NAMESPACE}-*`]) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
        cursor = next;
        if (keys.length) await redis.del(...keys);
      } while (cursor !== '0');
    }
  } finally {
    redis.disconnect();
  }
}

export async function runDemo(opts: DemoOptions): Promise<void> {
  const dir = resolve(opts.data);
  const redisUrl = process.env.VIGIL_REDIS_URL ?? 'redis://127.0.0.1:6379';
  await assertPortFree(opts.port);
  await clearDemoState(redisUrl);
  mkdirSync(dir, { recursive: true });

  process.stdout.write('vigil demo: preparing footage (real street clip, anomalies injected in every second play)…\n');
  const { file } = await renderDemoFootage(dir);
  const rtsp = await LocalRtspServer.start({ mounts: [{ path: 'cam1', file, loop: true }] });
  const token = `demo-${randomBytes(6).toString('hex')}`;
  const config = {
    redis: { url: redisUrl },
    namespace: NAMESPACE,
    dataDir: join(dir, 'data'),
    gateway: { port: opts.port, tokens: [{ token, role: 'operator' }] },
    cameras: [{ id: 'cam1', name: 'Demo street', url: rtsp.urlFor('cam1'), fps: 5, learnSeconds: 20 }],
  };
  const configFile = join(dir, 'vigil.yaml');
  writeFileSync(configFile, stringify(config));
  // The services' own logs stay quiet unless asked for; the demo prints what an operator would want to see.
  const tree = new ServiceTree(configFile, { ...process.env, VIGIL_LOG_LEVEL: process.env.VIGIL_LOG_LEVEL ?? 'warn' });
  tree.start(['gateway', 'worker', 'ingest']);

  const base = `http://127.0.0.1:${opts.port}`;
  process.stdout.write(
    [
      `vigil demo: camera  ${rtsp.urlFor('cam1')} (RTSP over TCP)`,
      `vigil demo: alerts  ${LiveClient.liveUrl(base, token)}`,
      `vigil demo: token   ${token}`,
      `vigil demo: learning the scene for 20 s, then anomalies appear about every 75 s. Ctrl-C to stop.`,
      '',
    ].join('\n'),
  );

  const client = new LiveClient({ url: base, token });
  let finish: () => void = () => undefined;
  const done = new Promise<void>((r) => (finish = r));
  client.on('alert', (ev: AlertEvent) => {
    process.stdout.write(`${formatAlertEvent(ev)}\n`);
    if (opts.untilAlert && ev.event === 'close') finish();
  });
  await client.connectWithRetry(30_000).catch((err: unknown) => {
    throw new UsageError(`gateway did not come up: ${(err as Error).message}`);
  });
  const stopWatching = watchCameraStates(base, token);
  if (opts.seconds) setTimeout(finish, opts.seconds * 1000).unref();
  process.once('SIGINT', finish);
  process.once('SIGTERM', finish);
  await done;

  stopWatching();
  client.close();
  await tree.stop();
  await rtsp.stop();
}

/** Prints each camera state change (connecting, learning, live…) as the gateway reports it. */
function watchCameraStates(base: string, token: string): () => void {
  const last = new Map<string, string>();
  const timer = setInterval(() => {
    fetch(`${base}/v1/cameras`, { headers: { authorization: `Bearer ${token}` } })
      .then((res) => (res.ok ? (res.json() as Promise<{ cameras: { id: string; state: string }[] }>) : undefined))
      .then((body) => {
        for (const cam of body?.cameras ?? []) {
          if (last.get(cam.id) === cam.state) continue;
          last.set(cam.id, cam.state);
          const what = cam.state === 'live' ? 'live: watching for anomalies' : cam.state;
          process.stdout.write(`${new Date().toLocaleTimeString()} camera ${cam.id} ${what}\n`);
        }
      })
      .catch(() => undefined);
  }, 1000);
  return () => clearInterval(timer);
}
