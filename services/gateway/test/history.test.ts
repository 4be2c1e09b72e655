import { copyFile, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertFilesDir } from '@vigil/core';
import { AlertStore, applyRetention, HISTORY_GROUP, MIGRATIONS_DIR, runMigrations } from '../src/history/index.js';
import { toEventRecord } from '../src/history/eventRecord.js';
import { createSchema, historyConfig, makeAlert, startHistoryHarness, type HistoryHarness, type TestSchema } from './historyFixtures.js';

describe('history migrations', () => {
  let schema: TestSchema;
  beforeAll(async () => {
    schema = await createSchema();
  });
  afterAll(async () => {
    await schema.drop();
  });

  it('applies every migration once, even when several services start at once', async () => {
    const pools = [0, 1, 2].map(() => new pg.Pool({ connectionString: schema.url, max: 1 }));
    try {
      const results = await Promise.all(pools.map((p) => runMigrations(p)));
      const files = (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql')).sort();
      // Exactly one of the three applied each file; the others found it recorded.
      expect(results.flat().sort()).toEqual(files);
      expect(await runMigrations(schema.pool)).toEqual([]);
      const { rows } = await schema.pool.query('SELECT name FROM vigil_migrations ORDER BY name');
      expect(rows.map((r) => r.name)).toEqual(files);
      const tables = await schema.pool.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1`, [schema.name]);
      expect(tables.rows.map((r) => r.table_name)).toEqual(expect.arrayContaining(['alerts', 'alert_events', 'vigil_migrations']));
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });

  it('picks up a later migration added to the folder, in name order, and rolls back a failing one', async () => {
    const other = await createSchema();
    const dir = await mkdtemp(join(tmpdir(), 'vigil-migrations-'));
    try {
      await copyFile(join(MIGRATIONS_DIR, '0001_alerts.sql'), join(dir, '0001_alerts.sql'));
      expect(await runMigrations(other.pool, dir)).toEqual(['0001_alerts.sql']);
      await writeFile(join(dir, '0002_webhooks.sql'), 'CREATE TABLE webhook_probe (id text PRIMARY KEY REFERENCES alerts (id));');
      await writeFile(join(dir, '0003_broken.sql'), 'CREATE TABLE half_done (id int); SELECT no_such_column FROM alerts;');
      await expect(runMigrations(other.pool, dir)).rejects.toThrow(/migration 0003_broken\.sql failed: column "no_such_column" does not exist/);
      const { rows } = await other.pool.query('SELECT name FROM vigil_migrations ORDER BY name');
      expect(rows.map((r) => r.name)).toEqual(['0001_alerts.sql', '0002_webhooks.sql']);
      const halfDone = await other.pool.query(`SELECT to_regclass('half_done') AS t`);
      expect(halfDone.rows[0].t).toBeNull();
    } finally {
      await rm(dir, { recursive: true, force: true });
      await other.drop();
    }
  });
});

describe('history recorder', () => {
  let schema: TestSchema;
  let h: HistoryHarness;
  beforeAll(async () => {
    schema = await createSchema();
    h = await startHistoryHarness(schema.url, { history: { consumer: 'gw-test', claimIdleMs: 300 } });
  });
  afterAll(async () => {
    await h?.stop();
    await schema.drop();
  });

  it('stores every event appended to the stream, the alert row following its latest event', async () => {
    const t0 = new Date(Date.now() - 60_000);
    const alert = makeAlert('cam1', t0);
    const e1 = await h.emit('open', alert);
    const e2 = await h.emit('update', { ...alert, score: 3.2, updatedAt: new Date(t0.getTime() + 2000).toISOString(), regions: [] });
    const e3 = await h.emit('close', { ...alert, state: 'closed', score: 2.5, updatedAt: new Date(t0.getTime() + 5000).toISOString(), endedAt: new Date(t0.getTime() + 5000).toISOString() });
    const json = await h.until(`/v1/alerts/${alert.id}`, (j) => j.events?.length === 3);
    expect(json.events.map((e: { eventId: string; kind: string }) => [e.eventId, e.kind])).toEqual([
      [e1, 'open'],
      [e2, 'update'],
      [e3, 'close'],
    ]);
    expect(json.alert).toMatchObject({
      id: alert.id,
      cameraId: 'cam1',
      state: 'closed',
      startedAt: alert.startedAt,
      endedAt: new Date(t0.getTime() + 5000).toISOString(),
      score: 2.5,
      peakScore: 3.2,
      frame: { width: 320, height: 176 },
      modelVersion: 'v1',
      snapshotUrl: `/v1/alerts/${alert.id}/snapshot.jpg`,
      heatmapUrl: `/v1/alerts/${alert.id}/heatmap.jpg`,
      ack: null,
      feedback: null,
    });
    // Acknowledged in the group only once stored.
    const pending = (await h.redis.xpending(h.streamKey, HISTORY_GROUP)) as [number, ...unknown[]];
    expect(pending[0]).toBe(0);
  });

  it('keeps the history across a gateway restart and records what was appended while it was down', async () => {
    const before = makeAlert('cam2', new Date(Date.now() - 30_000));
    await h.emit('open', before);
    await h.until(`/v1/alerts/${before.id}`, (j) => j.alert?.id === before.id);
    await h.gateway.close();
    const during = makeAlert('cam2', new Date(Date.now() - 20_000));
    await h.emit('open', during);
    await h.restart();
    const list = await h.until('/v1/alerts?camera=cam2', (j) => j.alerts?.length === 2);
    expect(list.alerts.map((a: { id: string }) => a.id)).toEqual([during.id, before.id]);
  });

  it('records entries a gateway read but did not acknowledge before it died: its own at start, others once idle', async () => {
    await h.gateway.close();
    const own = makeAlert('cam1', new Date(Date.now() - 10_000));
    const orphan = makeAlert('cam1', new Date(Date.now() - 9_000));
    const ownId = await h.emit('open', own);
    const orphanId = await h.emit('open', orphan);
    // Deliver one entry to this gateway's consumer name and one to a consumer that never comes back.
    const r1 = (await h.redis.xreadgroup('GROUP', HISTORY_GROUP, 'gw-test', 'COUNT', 1, 'STREAMS', h.streamKey, '>')) as Array<[string, Array<[string]>]>;
    const r2 = (await h.redis.xreadgroup('GROUP', HISTORY_GROUP, 'dead-gateway', 'COUNT', 1, 'STREAMS', h.streamKey, '>')) as Array<[string, Array<[string]>]>;
    expect([r1[0]![1][0]![0], r2[0]![1][0]![0]]).toEqual([ownId, orphanId]);
    await h.restart();
    await h.until(`/v1/alerts/${own.id}`, (j) => j.alert?.id === own.id);
    await h.until(`/v1/alerts/${orphan.id}`, (j) => j.alert?.id === orphan.id);
    const deadline = Date.now() + 3000;
    while (((await h.redis.xpending(h.streamKey, HISTORY_GROUP)) as [number])[0] !== 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(((await h.redis.xpending(h.streamKey, HISTORY_GROUP)) as [number])[0]).toBe(0);
  });

  it('acknowledges and skips a malformed entry or one the database refuses, and goes on recording', async () => {
    await h.redis.xadd(h.streamKey, '*', 'event', JSON.stringify({ type: 'alert', event: 'open', alert: { cameraId: 'cam1', id: 'bad id!' } }));
    await h.redis.xadd(h.streamKey, '*', 'event', 'not json');
    // Valid JSON the database refuses (NUL is not allowed in PostgreSQL text): skipped, not retried forever.
    await h.emit('open', makeAlert('cam1', new Date(), { modelVersion: 'v\u0000' }));
    const good = makeAlert('cam1', new Date());
    await h.emit('open', good);
    await h.until(`/v1/alerts/${good.id}`, (j) => j.alert?.id === good.id);
    expect(((await h.redis.xpending(h.streamKey, HISTORY_GROUP)) as [number])[0]).toBe(0);
  });
});

describe('AlertStore.record', () => {
  let schema: TestSchema;
  let store: AlertStore;
  beforeAll(async () => {
    schema = await createSchema();
    await runMigrations(schema.pool);
    store = new AlertStore(schema.pool);
  });
  afterAll(async () => {
    await schema.drop();
  });

  const record = (eventId: string, event: 'open' | 'update' | 'close', alert: ReturnType<typeof makeAlert>) => {
    const rec = toEventRecord({ type: 'alert', event, eventId, alert });
    if ('error' in rec) throw new Error(rec.error);
    return store.record(rec);
  };

  it('stores a redelivered event once, and a late older event does not roll the alert back', async () => {
    const alert = makeAlert('cam1', new Date('2025-03-01T10:00:00Z'));
    const closed = { ...alert, state: 'closed' as const, score: 4, updatedAt: '2025-03-01T10:00:09Z', endedAt: '2025-03-01T10:00:09Z' };
    expect(await record('1740823209000-0', 'close', closed)).toBe(true);
    expect(await record('1740823209000-0', 'close', closed)).toBe(false);
    expect(await record('1740823200000-0', 'open', alert)).toBe(true);
    const stored = await store.get(alert.id);
    expect(stored).toMatchObject({ state: 'closed', score: 4, peakScore: 4, endedAt: '2025-03-01T10:00:09.000Z' });
    expect((await store.events(alert.id)).map((e) => e.eventId)).toEqual(['1740823200000-0', '1740823209000-0']);
  });

  it("retention deletes a camera's alerts idle past its retentionDays, with their files, and keeps the rest", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'vigil-retention-'));
    try {
      const now = Date.parse('2025-06-30T00:00:00Z');
      const days = (n: number) => new Date(now - n * 86_400_000);
      const oldCam1 = makeAlert('cam1', days(8)); // cam1 keeps 7 days
      const youngCam1 = makeAlert('cam1', days(6));
      const oldCam2 = makeAlert('cam2', days(8)); // cam2 keeps the default 30
      const gone = makeAlert('removed-cam', days(31)); // not configured any more: default 30
      let seq = 0;
      for (const a of [oldCam1, youngCam1, oldCam2, gone]) {
        await record(`${now}-${seq++}`, 'open', a);
        await mkdir(alertFilesDir(dataDir, a.id), { recursive: true });
        await writeFile(join(alertFilesDir(dataDir, a.id), 'snapshot.jpg'), 'jpeg');
      }
      const deleted = await applyRetention(store, historyConfig(undefined, dataDir).cameras, dataDir, now);
      // (The 2025-03 alert of the test above is past cam1's retention too.)
      expect(deleted).toEqual(expect.arrayContaining([oldCam1.id, gone.id]));
      expect(deleted).not.toContain(youngCam1.id);
      expect(deleted).not.toContain(oldCam2.id);
      expect(await store.get(oldCam1.id)).toBeUndefined();
      expect(await store.events(oldCam1.id)).toEqual([]);
      expect(await store.get(youngCam1.id)).toBeDefined();
      expect(await store.get(oldCam2.id)).toBeDefined();
      await expect(stat(alertFilesDir(dataDir, oldCam1.id))).rejects.toThrow(/ENOENT/);
      expect((await stat(alertFilesDir(dataDir, youngCam1.id))).isDirectory()).toBe(true);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
