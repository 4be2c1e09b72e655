/** Fixtures for the history tests: a PostgreSQL schema per test file, a gateway with history on, alert events as workers write them. */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { parseConfig, redisKeys, type Alert, type AlertEventKind, type Config } from '@vigil/core';
import { startGateway, type Gateway, type GatewayOptions } from '../src/index.js';

export const POSTGRES_URL = 'postgres://postgres:postgres@127.0.0.1:5432/test';
export const REDIS_URL = 'redis://127.0.0.1:6379';
export const VIEWER = 'viewer-token-123';
export const OPERATOR = 'operator-token-123';
export const ADMIN = 'admin-token-4567';

/** A fresh schema; the URL makes every connection use it (search_path), so tests never see each other's tables. */
export interface TestSchema {
  name: string;
  url: string;
  pool: pg.Pool;
  drop(): Promise<void>;
}

export async function createSchema(): Promise<TestSchema> {
  const name = `hist_${randomUUID().slice(0, 8)}`;
  const admin = new pg.Client(POSTGRES_URL);
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${name}`);
  await admin.end();
  const url = `${POSTGRES_URL}?options=${encodeURIComponent(`-c search_path=${name}`)}`;
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  return {
    name,
    url,
    pool,
    async drop() {
      await pool.end();
      const c = new pg.Client(POSTGRES_URL);
      await c.connect();
      await c.query(`DROP SCHEMA ${name} CASCADE`);
      await c.end();
    },
  };
}

export function historyConfig(postgresUrl: string | undefined, dataDir: string, namespace = `histtest-${randomUUID().slice(0, 8)}`): Config {
  return parseConfig({
    redis: { url: REDIS_URL },
    namespace,
    dataDir,
    gateway: {
      host: '127.0.0.1',
      port: 0,
      tokens: [
        { token: VIEWER, role: 'viewer' },
        { token: OPERATOR, role: 'operator' },
        { token: ADMIN, role: 'admin' },
      ],
    },
    ...(postgresUrl ? { history: { postgresUrl } } : {}),
    cameras: [
      { id: 'cam1', url: 'rtsp://example/1', retentionDays: 7 },
      { id: 'cam2', url: 'rtsp://example/2' },
    ],
  });
}

export function makeAlert(cameraId: string, startedAt: Date, overrides: Partial<Alert> = {}): Alert {
  const id = overrides.id ?? `${cameraId}-${randomUUID().slice(0, 12)}`;
  return {
    id,
    cameraId,
    state: 'open',
    startedAt: startedAt.toISOString(),
    updatedAt: startedAt.toISOString(),
    score: 1.5,
    frame: { width: 320, height: 176 },
    regions: [{ x: 0.1, y: 0.2, width: 0.3, height: 0.25, score: 1.9 }],
    members: { patchGaussian: 1.5 },
    modelVersion: 'v1',
    snapshotUrl: `/v1/alerts/${id}/snapshot.jpg`,
    ...overrides,
  };
}

/** A gateway with history on, plus the handles a test needs; `restart` closes and starts it again on the same config. */
export interface HistoryHarness {
  config: Config;
  gateway: Gateway;
  redis: Redis;
  streamKey: string;
  dataDir: string;
  /** XADDs an event the way workers do; returns its event id. */
  emit(kind: AlertEventKind, alert: Alert): Promise<string>;
  /** `json` is loosely typed on purpose: the tests' assertions state the shape they expect. */
  request(method: string, path: string, token?: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; json: any }>;
  /** Polls GET `path` until `done` holds for its JSON (the recorder is asynchronous). */
  until(path: string, done: (json: any) => boolean, timeoutMs?: number): Promise<any>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startHistoryHarness(postgresUrl: string | undefined, opts: GatewayOptions = {}): Promise<HistoryHarness> {
  const dataDir = await mkdtemp(join(tmpdir(), 'vigil-history-'));
  const config = historyConfig(postgresUrl, dataDir);
  const redis = new Redis(REDIS_URL);
  const streamKey = redisKeys(config.namespace).alertEvents;
  const options: GatewayOptions = { port: 0, ...opts, history: { blockMs: 200, ...opts.history } };
  const h: HistoryHarness = {
    config,
    gateway: await startGateway(config, options),
    redis,
    streamKey,
    dataDir,
    async emit(kind, alert) {
      return (await redis.xadd(streamKey, '*', 'event', JSON.stringify({ type: 'alert', event: kind, alert })))!;
    },
    async request(method, path, token, body, headers = {}) {
      const init: RequestInit = { method, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } };
      if (body !== undefined) {
        init.body = typeof body === 'string' ? body : JSON.stringify(body);
        if (typeof body !== 'string') (init.headers as Record<string, string>)['content-type'] = 'application/json';
      }
      const res = await fetch(`${h.gateway.url}${path}`, init);
      const text = await res.text();
      let json: unknown = text;
      try {
        json = JSON.parse(text);
      } catch {
        // not JSON: the test sees the text
      }
      return { status: res.status, json };
    },
    async until(path, done, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const { json } = await h.request('GET', path, VIEWER);
        if (done(json)) return json;
        if (Date.now() > deadline) throw new Error(`timed out waiting on ${path}; last ${JSON.stringify(json)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async restart() {
      await h.gateway.close();
      h.gateway = await startGateway(config, options);
    },
    async stop() {
      await h.gateway.close();
      const keys = await redis.keys(`${config.namespace}:*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return h;
}
