/** Test fixtures: a gateway on a random port with its own Redis namespace, and a recording ws client. */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { WebSocket } from 'ws';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig, redisKeys, type Config } from '@vigil/core';
import { startGateway, type Gateway } from '../src/index.js';

export const REDIS_URL = 'redis://127.0.0.1:6379';
export const VIEWER_TOKEN = 'viewer-token-123';
export const ADMIN_TOKEN = 'admin-token-4567';

export function testConfig(overrides: { redisUrl?: string; heartbeatSeconds?: number } = {}): Config {
  return parseConfig({
    redis: { url: overrides.redisUrl ?? REDIS_URL },
    namespace: `gwtest-${randomUUID().slice(0, 8)}`,
    dataDir: mkdtempSync(join(tmpdir(), 'vigil-gwtest-')),
    gateway: {
      host: '127.0.0.1',
      port: 0,
      heartbeatSeconds: overrides.heartbeatSeconds ?? 30,
      tokens: [
        { token: VIEWER_TOKEN, role: 'viewer' },
        { token: ADMIN_TOKEN, role: 'admin' },
      ],
    },
    cameras: [
      {
        id: 'cam1',
        name: 'North gate',
        url: 'rtsp://example/1',
        masks: [
          {
            name: 'clock',
            polygon: [
              [0, 0],
              [0.3, 0],
              [0.3, 0.08],
            ],
          },
        ],
        zones: [
          {
            name: 'lane',
            polygon: [
              [0.2, 0.4],
              [0.6, 0.4],
              [0.9, 1],
              [0.1, 1],
            ],
          },
        ],
      },
      { id: 'cam2', url: 'rtsp://example/2' },
    ],
  });
}

export interface Harness {
  config: Config;
  gateway: Gateway;
  redis: Redis;
  wsUrl: string;
  /** Appends an alert event the way workers do; returns the entry id. */
  addAlert(cameraId: string, event?: 'open' | 'update' | 'close'): Promise<string>;
  stop(): Promise<void>;
}

export async function startHarness(overrides: Parameters<typeof testConfig>[0] = {}): Promise<Harness> {
  const config = testConfig(overrides);
  const redis = new Redis(REDIS_URL);
  const gateway = await startGateway(config, { port: 0 });
  const keys = redisKeys(config.namespace);
  return {
    config,
    gateway,
    redis,
    wsUrl: `${gateway.url.replace(/^http/, 'ws')}/v1/live`,
    async addAlert(cameraId, event = 'open') {
      const now = new Date().toISOString();
      const alert = {
        id: `${cameraId}-${randomUUID().slice(0, 8)}`,
        cameraId,
        state: event === 'close' ? 'closed' : 'open',
        startedAt: now,
        updatedAt: now,
        score: 1.7,
        frame: { width: 320, height: 180 },
        regions: [{ x: 0.1, y: 0.2, width: 0.3, height: 0.2, score: 2.1 }],
        members: { patchGaussian: 1.7 },
        modelVersion: 'v1',
        snapshotUrl: `http://example/v1/alerts/x/snapshot.jpg`,
      };
      const id = await redis.xadd(keys.alertEvents, '*', 'event', JSON.stringify({ type: 'alert', event, alert }));
      return id!;
    },
    async stop() {
      await gateway.close();
      const leftovers = await redis.keys(`${config.namespace}:*`);
      const bull = await redis.keys(`bull:${config.namespace}-*`);
      if (leftovers.length + bull.length > 0) await redis.del(...leftovers, ...bull);
      redis.disconnect();
    },
  };
}

export interface LiveMessage {
  type: string;
  [key: string]: unknown;
}

/** A real ws client that records every message, so a test can wait for the ones it expects. */
export class RecordingClient {
  readonly messages: LiveMessage[] = [];
  private waiters: Array<() => void> = [];

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.messages.push(JSON.parse(data.toString()) as LiveMessage);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static async connect(url: string, options?: ConstructorParameters<typeof WebSocket>[2]): Promise<RecordingClient> {
    const ws = new WebSocket(url, options);
    const client = new RecordingClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`unexpected response ${res.statusCode}`)));
    });
    await client.waitFor((m) => m.type === 'hello');
    return client;
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  alerts(): LiveMessage[] {
    return this.messages.filter((m) => m.type === 'alert');
  }

  /** Resolves with the first recorded message matching `match` (waiting for it if needed). */
  async waitFor(match: (m: LiveMessage) => boolean, timeoutMs = 5000): Promise<LiveMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting; got ${JSON.stringify(this.messages)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.ws.close();
  }
}

/** Opens a ws connection expected to be refused; resolves with the HTTP status of the refusal. */
export function refusedStatus(url: string, options?: ConstructorParameters<typeof WebSocket>[2]): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options);
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('open', () => reject(new Error('connection was accepted')));
    ws.once('error', () => undefined);
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
