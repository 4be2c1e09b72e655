/** Schema migrations: every `migrations/*.sql`, in name order, each once, in its own transaction. */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';

export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

/**
 * Applies the migrations not yet recorded in `vigil_migrations` (in the pool's current schema);
 * returns the names applied by this call. Several services may start at once: each migration
 * runs under a transaction-scoped advisory lock, so exactly one of them applies it.
 */
export async function runMigrations(pool: pg.Pool, dir: string = MIGRATIONS_DIR): Promise<string[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.sql')).sort();
  const applied: string[] = [];
  const client = await pool.connect();
  try {
    for (const name of names) {
      const sql = await readFile(join(dir, name), 'utf8');
      await client.query('BEGIN');
      try {
        // Keyed by schema, so deployments (or test files) in different schemas do not wait on each other.
        await client.query(`SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.vigil_migrations'))`);
        await client.query('CREATE TABLE IF NOT EXISTS vigil_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
        const done = await client.query('SELECT 1 FROM vigil_migrations WHERE name = $1', [name]);
        if (done.rowCount === 0) {
          await client.query(sql);
          await client.query('INSERT INTO vigil_migrations (name) VALUES ($1)', [name]);
          applied.push(name);
        }
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw new MigrationError(name, err);
      }
    }
  } finally {
    client.release();
  }
  return applied;
}

export class MigrationError extends Error {
  constructor(
    readonly migration: string,
    cause: unknown,
  ) {
    super(`migration ${migration} failed: ${(cause as Error).message ?? String(cause)}`, { cause });
    this.name = 'MigrationError';
  }
}
