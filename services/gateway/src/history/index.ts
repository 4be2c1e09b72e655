/** The alert history: PostgreSQL pool, migrations at start, the stream recorder and the retention job. */
import { Redis } from 'ioredis';
import pg from 'pg';
import type { Config, Logger } from '@vigil/core';
import { AlertStore } from './alertStore.js';
import { MigrationError, runMigrations } from './migrate.js';
import { AlertRecorder, type RecorderOptions } from './recorder.js';
import { RetentionJob } from './retention.js';

export { AlertStore, type StoredAlert, type StoredEvent, type Verdict } from './alertStore.js';
export { runMigrations, MIGRATIONS_DIR, MigrationError } from './migrate.js';
export { AlertRecorder, HISTORY_GROUP } from './recorder.js';
export { applyRetention } from './retention.js';
export { replayWithStore } from './replay.js';

export interface HistoryOptions extends RecorderOptions {
  /** How often old alerts are deleted; hourly by default. */
  retentionIntervalMs?: number;
}

export interface History {
  store: AlertStore;
  /** The PostgreSQL pool (for other gateway parts that keep state there, e.g. the webhook delivery log); migrated once `ready`. */
  pool: pg.Pool;
  /** True once migrations are applied; until then the API answers 503. */
  readonly ready: boolean;
  close(): Promise<void>;
}

/**
 * Connects to PostgreSQL and applies migrations. When PostgreSQL is unreachable the gateway still
 * starts (live alerts do not need it) and history starts once it answers; a migration that fails
 * on a reachable database is a bug to fix, so it fails the start.
 */
export async function startHistory(config: Config, postgresUrl: string, streamKey: string, commands: Redis, log: Logger, opts: HistoryOptions = {}): Promise<History> {
  const pool = new pg.Pool({ connectionString: postgresUrl, max: 6, connectionTimeoutMillis: 3000 });
  pool.on('error', (err) => log.warn('postgres connection error', { error: err }));
  const store = new AlertStore(pool);
  const blocking = new Redis(config.redis.url, { maxRetriesPerRequest: null, connectTimeout: 2000, lazyConnect: true });
  blocking.on('error', () => undefined); // reported by the recorder's own retry loop
  const recorder = new AlertRecorder(blocking, commands, streamKey, store, log, opts);
  const retention = new RetentionJob(store, config.cameras, config.dataDir, log, opts.retentionIntervalMs ?? 60 * 60 * 1000);
  let ready = false;
  let closed = false;

  const begin = (applied: string[]) => {
    if (applied.length > 0) log.info('history migrations applied', { migrations: applied.join(',') });
    ready = true;
    recorder.start();
    retention.start();
  };
  const tryMigrate = async (): Promise<string[] | undefined> => {
    try {
      return await runMigrations(pool);
    } catch (err) {
      if (err instanceof MigrationError) throw err;
      return undefined;
    }
  };

  let background: Promise<void> = Promise.resolve();
  let wake: () => void = () => undefined;
  // A retry wait that `close` can cut short.
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const first = await tryMigrate().catch(async (err: unknown) => {
    await pool.end();
    blocking.disconnect();
    throw err;
  });
  if (first) begin(first);
  else {
    log.warn('postgres unreachable; alert history starts when it answers');
    background = (async () => {
      while (!closed) {
        await pause(2000);
        if (closed) return;
        const applied = await tryMigrate().catch((err: unknown) => {
          log.error('history migration failed; alert history stays off', { error: err });
          closed = true;
          return undefined;
        });
        if (applied && !closed) return begin(applied);
      }
    })();
  }

  return {
    store,
    pool,
    get ready() {
      return ready;
    },
    async close() {
      closed = true;
      wake();
      await background;
      if (ready) await Promise.all([recorder.stop(), retention.stop()]);
      else blocking.disconnect();
      await pool.end();
    },
  };
}
