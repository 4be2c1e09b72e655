/** Fixtures of the webhook tests: a config in a fresh namespace, a PG schema of its own, alert events as workers write them. */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import pg from 'pg';
import { parseConfig, redisKeys, type Config } from '@vigil/core';
import { runMigrations } from '../../src/history/migrate.js';

export const REDIS_URL = 'redis://127.0.0.1:6379';
export const POSTGRES_URL = 'postgres://postgres:postgres@127.0.0.1:5432/test';

export const newSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

export interface EndpointSpec {
  id: string;
  url: string;
  secret?: string;
  cameras?: string[];
  allowPrivateNetwork?: boolean;
}

export function webhookConfig(endpoints: EndpointSpec[], namespace = `whtest-${randomUUID().slice(0, 8)}`): Config {
  return parseConfig({
    redis: { url: REDIS_URL },
    namespace,
    gateway: { tokens: [{ token: 'viewer-token-123', role: 'viewer' }] },
    cameras: [
      { id: 'cam1', url: 'rtsp://example/1' },
      { id: 'cam2', url: 'rtsp://example/2' },
    ],
    webhooks: endpoints.map((e) => ({ allowPrivateNetwork: true, secret: newSecret(), ...e })),
  });
}

/** Appends an alert event the way workers do; returns the stream entry id (the event id). */
export async function addAlertEvent(redis: Redis, ns: string, cameraId = 'cam1', event: 'open' | 'update' | 'close' = 'open'): Promise<string> {
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
    snapshotUrl: 'http://example/v1/alerts/x/snapshot.jpg',
  };
  return (await redis.xadd(redisKeys(ns).alertEvents, '*', 'event', JSON.stringify({ type: 'alert', event, alert })))!;
}

/** Deletes every key of the namespace and its BullMQ queues. */
export async function dropNamespace(redis: Redis, ns: string): Promise<void> {
  const keys = [...(await redis.keys(`${ns}:*`)), ...(await redis.keys(`bull:${ns}-*`))];
  if (keys.length > 0) await redis.del(...keys);
}

/** A pool whose tables live in a fresh schema, migrated; `drop()` removes the schema. */
export async function migratedSchema(): Promise<{ pool: pg.Pool; schema: string; drop(): Promise<void> }> {
  const schema = `whtest_${randomUUID().slice(0, 8)}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const pool = new pg.Pool({ connectionString: POSTGRES_URL, options: `-c search_path=${schema}`, max: 4 });
  await runMigrations(pool);
  return {
    pool,
    schema,
    async drop() {
      await pool.query(`DROP SCHEMA ${schema} CASCADE`);
      await pool.end();
    },
  };
}
