/** Wires the gateway together: Redis connections, HTTP routes, the live WebSocket and the stream reader. */
import { Redis } from 'ioredis';
import { createLogger, redisKeys, type Config } from '@vigil/core';
import { AlertStreamReader } from './alertStream.js';
import { TokenAuth } from './auth.js';
import { startDashboard } from './dashboard/index.js';
import { createHttpApp } from './httpErrors.js';
import { startHistory, replayWithStore, type History, type HistoryOptions } from './history/index.js';
import { LiveHub } from './live.js';
import { RecentAlerts } from './recentAlerts.js';
import { GatewayMetrics } from './metrics.js';
import { registerAlertRoutes } from './routes/alerts.js';
import { registerCameraRoutes } from './routes/cameras.js';
import { registerHealthRoute } from './routes/health.js';
import { registerMetricsRoute } from './routes/metrics.js';
import { registerOpenApi } from './routes/openapi.js';
import { registerWebSocketDocs } from './routes/websockets.js';
import { registerReviewRoutes } from './routes/reviews.js';
import { startWebhookDispatch } from './webhooks/index.js';

export interface Gateway {
  url: string;
  port: number;
  /** Every route the HTTP server has (method and URL pattern), as Fastify registered it. */
  routes: readonly { method: string; url: string }[];
  close(): Promise<void>;
}

export interface GatewayOptions {
  /** Overrides `config.gateway.port`; 0 picks a free port. */
  port?: number;
  /** Recorder and retention tuning (tests); used only when `config.history` is set. */
  history?: HistoryOptions;
}

function urlOf(host: string, port: number): string {
  const reachable = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

export async function startGateway(config: Config, opts: GatewayOptions = {}): Promise<Gateway> {
  const log = createLogger('gateway');
  const keys = redisKeys(config.namespace);
  // Requests fail fast (then 503) while Redis is down; the stream reader waits for it instead.
  const redis = new Redis(config.redis.url, { maxRetriesPerRequest: 1, connectTimeout: 2000 });
  const blocking = new Redis(config.redis.url, { maxRetriesPerRequest: null, connectTimeout: 2000 });
  let redisErrorLogged = false;
  for (const conn of [redis, blocking]) {
    conn.on('error', (err: Error) => {
      if (!redisErrorLogged) log.warn('redis connection error', { error: err });
      redisErrorLogged = true;
    });
    conn.on('ready', () => (redisErrorLogged = false));
  }

  const auth = new TokenAuth(config.gateway.tokens);
  const metrics = new GatewayMetrics();
  const app = createHttpApp(log);
  const routes: { method: string; url: string }[] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push({ method, url: route.url });
  });
  await registerOpenApi(app);
  registerHealthRoute(app, redis, config);
  registerMetricsRoute(app, metrics, redis, config);
  registerCameraRoutes(app, auth, redis, config);
  registerWebSocketDocs(app);

  let history: History | undefined;
  if (config.history) {
    try {
      history = await startHistory(config, config.history.postgresUrl, keys.alertEvents, redis, log, opts.history);
    } catch (err) {
      redis.disconnect();
      blocking.disconnect();
      throw err;
    }
  }
  const recentAlerts = new RecentAlerts();
  await registerAlertRoutes(app, { auth, config, history, log, recentAlerts });
  registerReviewRoutes(app, { auth, config, redis });
  const dashboard = startDashboard(app, { auth, config, redis, log });
  // Delivery attempts go to the history database when it is up, else to a bounded Redis log.
  const webhooks = await startWebhookDispatch(config, { redis, log, ...(history?.ready ? { pg: history.pool } : {}) }, { registry: metrics.registry });

  const hub = new LiveHub({
    auth,
    metrics,
    log,
    heartbeatSeconds: config.gateway.heartbeatSeconds,
    cameras: config.cameras.map((c) => c.id),
    // Events older than the stream keeps come from the history, when it is on.
    replay: (since) => replayWithStore(redis, keys.alertEvents, history?.ready ? history.store : undefined, since, log),
  });
  hub.attach(app.server, dashboard.upgrade);
  const reader = new AlertStreamReader(
    blocking,
    redis,
    keys.alertEvents,
    (alert) => {
      metrics.alertEventsRead.inc({ event: alert.event.event });
      if (alert.event.event !== 'close') recentAlerts.seen(alert.event.alert.id);
      hub.broadcast(alert);
    },
    log,
  );

  let closing: Promise<void> | undefined;
  // Idempotent: a second close waits for the first.
  const close = () =>
    (closing ??= (async () => {
      await hub.close();
      await dashboard.close();
      await reader.stop();
      await webhooks.close();
      await app.close();
      await history?.close();
      redis.disconnect();
    })());

  try {
    await reader.start();
    await app.listen({ host: config.gateway.host, port: opts.port ?? config.gateway.port });
  } catch (err) {
    await close();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (opts.port ?? config.gateway.port);
  const url = urlOf(config.gateway.host, port);
  log.info('gateway listening', { url, live: `${url.replace(/^http/, 'ws')}/v1/live` });
  return { url, port, routes, close };
}
