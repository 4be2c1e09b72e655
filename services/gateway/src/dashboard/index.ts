/**
 * The operator dashboard's side of the gateway: the built page at `/`, the live preview WebSocket
 * (`/v1/preview`), the full-rate camera view (`/v1/stream/<camera>`) and the score timelines
 * (`/v1/cameras/:id/scores`). server.ts registers it and hands it the upgrades `/v1/live` does not take.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { redisKeys, type Config, type Logger } from '@vigil/core';
import type { TokenAuth } from '../auth.js';
import { PREVIEW_PATH, PreviewHub } from './previewHub.js';
import { registerScoreRoutes } from './scoreTimeline.js';
import { registerDashboardFiles } from './staticFiles.js';
import { STREAM_PATH_PREFIX, StreamRelay } from './streamRelay.js';

export { DEFAULT_DASHBOARD_DIR } from './staticFiles.js';
export { readScoreTimeline, parseScoreEntry, type ScoreTimeline } from './scoreTimeline.js';
export { relayArgs } from './streamRelay.js';

export interface DashboardDeps {
  auth: TokenAuth;
  config: Config;
  /** The gateway's command connection (fail-fast); the dashboard opens its own subscriber and reader from it. */
  redis: Redis;
  log: Logger;
  /** Where the built page is (default services/dashboard/dist, or `VIGIL_DASHBOARD_DIR`). */
  distDir?: string;
}

export interface Dashboard {
  /** Takes a WebSocket upgrade for a dashboard path; false when the path is not the dashboard's. */
  upgrade(path: string, req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  close(): Promise<void>;
}

export function startDashboard(app: FastifyInstance, deps: DashboardDeps): Dashboard {
  const { auth, config, redis, log } = deps;
  const keys = redisKeys(config.namespace);
  registerDashboardFiles(app, deps.distDir ?? process.env.VIGIL_DASHBOARD_DIR ?? undefined);
  registerScoreRoutes(app, auth, redis, keys, config);
  const preview = new PreviewHub({
    auth,
    keys,
    cameraIds: config.cameras.map((c) => c.id),
    subscriber: redis.duplicate({ maxRetriesPerRequest: null }),
    reader: redis.duplicate({ maxRetriesPerRequest: null }),
    log,
    heartbeatSeconds: config.gateway.heartbeatSeconds,
  });
  const streams = new StreamRelay(auth, config.cameras, log);
  return {
    upgrade(path, req, socket, head) {
      if (path === PREVIEW_PATH) {
        preview.handleUpgrade(req, socket, head);
        return true;
      }
      if (path.startsWith(STREAM_PATH_PREFIX)) {
        streams.handleUpgrade(path.slice(STREAM_PATH_PREFIX.length), req, socket, head);
        return true;
      }
      return false;
    },
    async close() {
      await Promise.all([preview.close(), streams.close()]);
    },
  };
}
