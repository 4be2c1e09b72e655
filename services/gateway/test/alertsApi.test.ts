import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALERT_FILES, alertFilesDir, feedbackNormalDir, type Alert } from '@vigil/core';
import { ADMIN, createSchema, makeAlert, OPERATOR, startHistoryHarness, VIEWER, type HistoryHarness, type TestSchema } from './historyFixtures.js';

interface Listed {
  alerts: Array<{ id: string; cameraId: string; state: string; startedAt: string }>;
  nextCursor: string | null;
}

describe('/v1/alerts API over the history', () => {
  let schema: TestSchema;
  let h: HistoryHarness;
  const alerts: Alert[] = [];
  // Recent enough to be inside the cameras' retention (the gateway applies it at start).
  const base = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 2 * 86_400_000;

  beforeAll(async () => {
    schema = await createSchema();
    h = await startHistoryHarness(schema.url);
    // 30 alerts a minute apart, except that 0, 1, 10, 11, 20, 21 share start times (paging must break ties by id).
    for (let i = 0; i < 30; i++) {
      const alert = makeAlert(i % 3 === 0 ? 'cam2' : 'cam1', new Date(base + (i % 10 < 2 ? Math.floor(i / 10) * 600_000 : i * 60_000)), { id: `a${String(i).padStart(2, '0')}-x` });
      alerts.push(alert);
      await h.emit('open', alert);
      if (i % 2 === 0) await h.emit('close', { ...alert, state: 'closed', endedAt: new Date(Date.parse(alert.startedAt) + 5000).toISOString() });
    }
    await h.until('/v1/alerts?limit=500', (j) => j.alerts?.length === 30);
  });
  afterAll(async () => {
    await h?.stop();
    await schema?.drop();
  });

  /** Expected order: newest start first, then id descending. */
  const sorted = (list: Alert[]) => [...list].sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.id.localeCompare(a.id)).map((a) => a.id);

  it('lists alerts newest first, filtered by camera, state and time range [from, to)', async () => {
    const all = await h.request('GET', '/v1/alerts?limit=500', VIEWER);
    expect(all.status).toBe(200);
    expect((all.json as Listed).alerts.map((a) => a.id)).toEqual(sorted(alerts));
    expect(all.json.nextCursor).toBeNull();

    const cam2 = await h.request('GET', '/v1/alerts?camera=cam2&limit=500', VIEWER);
    expect((cam2.json as Listed).alerts.map((a) => a.id)).toEqual(sorted(alerts.filter((a) => a.cameraId === 'cam2')));

    const open = await h.request('GET', '/v1/alerts?state=open&limit=500', VIEWER);
    expect((open.json as Listed).alerts.map((a) => a.id)).toEqual(sorted(alerts.filter((_, i) => i % 2 === 1)));

    const from = new Date(base + 5 * 60_000).toISOString();
    const to = new Date(base + 12 * 60_000).toISOString();
    const range = await h.request('GET', `/v1/alerts?from=${from}&to=${to}&limit=500`, VIEWER);
    expect((range.json as Listed).alerts.map((a) => a.id)).toEqual(sorted(alerts.filter((a) => a.startedAt >= from && a.startedAt < to)));
    expect((range.json as Listed).alerts.length).toBeGreaterThan(3);
  });

  it('pages with an opaque cursor, returning every alert exactly once, in order', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await h.request('GET', `/v1/alerts?limit=4${cursor ? `&cursor=${cursor}` : ''}`, VIEWER);
      expect(res.status).toBe(200);
      const page = res.json as Listed;
      expect(page.alerts.length).toBeLessThanOrEqual(4);
      seen.push(...page.alerts.map((a) => a.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 20);
    expect(pages).toBe(8);
    expect(seen).toEqual(sorted(alerts));
  });

  it('GET /v1/alerts/:id returns the alert with its events; 404 for an unknown id', async () => {
    const a = alerts[4]!;
    const res = await h.request('GET', `/v1/alerts/${a.id}`, VIEWER);
    expect(res.status).toBe(200);
    expect(res.json.alert).toMatchObject({ id: a.id, cameraId: a.cameraId, state: 'closed', regions: a.regions, members: a.members });
    expect(res.json.events.map((e: { kind: string }) => e.kind)).toEqual(['open', 'close']);
    const missing = await h.request('GET', '/v1/alerts/no-such-alert', VIEWER);
    expect(missing).toEqual({ status: 404, json: { error: 'no alert no-such-alert' } });
  });

  it('needs a token for every alert route', async () => {
    for (const path of ['/v1/alerts', `/v1/alerts/${alerts[0]!.id}`, `/v1/alerts/${alerts[0]!.id}/snapshot.jpg`]) {
      expect((await h.request('GET', path)).status).toBe(401);
    }
    expect((await h.request('POST', `/v1/alerts/${alerts[0]!.id}/ack`, undefined, {})).status).toBe(401);
  });

  it("stores an acknowledgement with the token's role and note; a second one gets 409; a viewer gets 403", async () => {
    const id = alerts[7]!.id;
    const viewer = await h.request('POST', `/v1/alerts/${id}/ack`, VIEWER, { note: 'seen' });
    expect(viewer.status).toBe(403);
    expect(viewer.json.error).toMatch(/viewer token may not acknowledge alerts; it needs the role operator or admin/);

    const ok = await h.request('POST', `/v1/alerts/${id}/ack`, OPERATOR, { note: 'crew dispatched' });
    expect(ok.status).toBe(200);
    expect(ok.json.alert.ack).toEqual({ at: expect.any(String), role: 'operator', tokenId: expect.stringMatching(/^[0-9a-f]{16}$/), note: 'crew dispatched' });
    expect(Math.abs(Date.parse(ok.json.alert.ack.at) - Date.now())).toBeLessThan(60_000);

    const again = await h.request('POST', `/v1/alerts/${id}/ack`, ADMIN);
    expect(again.status).toBe(409);
    expect(again.json.error).toMatch(/already acknowledged .* by a operator token/);
    expect(again.json.alert.ack.note).toBe('crew dispatched');

    // No body at all is fine for ack.
    const bare = await h.request('POST', `/v1/alerts/${alerts[9]!.id}/ack`, ADMIN);
    expect(bare.status).toBe(200);
    expect(bare.json.alert.ack).toMatchObject({ role: 'admin', note: null });
    expect((await h.request('POST', '/v1/alerts/no-such-alert/ack', OPERATOR, {})).status).toBe(404);
  });

  it("stores feedback with the role; a false alarm's frame goes to the camera's normal data, and back out when confirmed", async () => {
    const a = alerts[10]!;
    const files = alertFilesDir(h.dataDir, a.id);
    await mkdir(files, { recursive: true });
    const rgb = Buffer.alloc(16 * 8 * 3, 7);
    await writeFile(join(files, ALERT_FILES.frame), rgb);
    await writeFile(join(files, ALERT_FILES.frameInfo), JSON.stringify({ width: 16, height: 8 }));

    const viewer = await h.request('POST', `/v1/alerts/${a.id}/feedback`, VIEWER, { verdict: 'confirmed' });
    expect(viewer.status).toBe(403);

    const fa = await h.request('POST', `/v1/alerts/${a.id}/feedback`, OPERATOR, { verdict: 'false-alarm', note: 'shadow of a bus' });
    expect(fa.status).toBe(200);
    expect(fa.json.frameAddedToNormal).toBe(true);
    expect(fa.json.alert.feedback).toEqual({ verdict: 'false-alarm', at: expect.any(String), role: 'operator', note: 'shadow of a bus' });
    const normal = feedbackNormalDir(h.dataDir, a.cameraId);
    expect(await readFile(join(normal, `${a.id}.rgb`))).toEqual(rgb);
    expect(JSON.parse(await readFile(join(normal, `${a.id}.json`), 'utf8'))).toEqual({ width: 16, height: 8 });

    const confirmed = await h.request('POST', `/v1/alerts/${a.id}/feedback`, ADMIN, { verdict: 'confirmed' });
    expect(confirmed.json.alert.feedback).toMatchObject({ verdict: 'confirmed', role: 'admin', note: null });
    await expect(stat(join(normal, `${a.id}.rgb`))).rejects.toThrow(/ENOENT/);

    // An alert whose frame is gone still takes the verdict.
    const noFrame = await h.request('POST', `/v1/alerts/${alerts[11]!.id}/feedback`, OPERATOR, { verdict: 'false-alarm' });
    expect(noFrame.status).toBe(200);
    expect(noFrame.json.frameAddedToNormal).toBe(false);
  });

  it('keeps acknowledgements and feedback across a gateway restart', async () => {
    await h.restart();
    const acked = await h.request('GET', `/v1/alerts/${alerts[7]!.id}`, VIEWER);
    expect(acked.json.alert.ack).toMatchObject({ role: 'operator', note: 'crew dispatched' });
    const judged = await h.request('GET', `/v1/alerts/${alerts[11]!.id}`, VIEWER);
    expect(judged.json.alert.feedback).toMatchObject({ verdict: 'false-alarm', role: 'operator' });
  });

  it('answers malformed requests with 4xx JSON naming the problem, never 500', async () => {
    const id = alerts[12]!.id;
    const cases: Array<[string, Promise<{ status: number; json: any }>, number, RegExp]> = [
      ['bad id', h.request('GET', '/v1/alerts/bad%20id%3B', VIEWER), 400, /malformed alert id "bad id;"/],
      ['bad id on ack', h.request('POST', '/v1/alerts/..%2F..%2Fetc/ack', OPERATOR, {}), 400, /malformed alert id/],
      ['from after to', h.request('GET', '/v1/alerts?from=2025-05-02T00:00:00Z&to=2025-05-01T00:00:00Z', VIEWER), 400, /from \(2025-05-02T00:00:00.000Z\) is after to \(2025-05-01T00:00:00.000Z\)/],
      ['unparsable time', h.request('GET', '/v1/alerts?from=yesterday', VIEWER), 400, /from must be an ISO-8601 time.*"yesterday"/],
      ['impossible date', h.request('GET', '/v1/alerts?to=2025-13-45T00:00:00Z', VIEWER), 400, /to must be an ISO-8601 time/],
      ['limit too big', h.request('GET', '/v1/alerts?limit=501', VIEWER), 400, /limit must be an integer from 1 to 500/],
      ['limit zero', h.request('GET', '/v1/alerts?limit=0', VIEWER), 400, /limit must be an integer/],
      ['bad state', h.request('GET', '/v1/alerts?state=acked', VIEWER), 400, /state must be "open" or "closed"/],
      ['bad camera', h.request('GET', '/v1/alerts?camera=..%2Fx', VIEWER), 400, /camera must be a camera id/],
      ['unknown parameter', h.request('GET', '/v1/alerts?sort=asc', VIEWER), 400, /unknown query parameter "sort"/],
      ['repeated parameter', h.request('GET', '/v1/alerts?camera=cam1&camera=cam2', VIEWER), 400, /"camera" given more than once/],
      ['bad cursor', h.request('GET', '/v1/alerts?cursor=bm90LWEtY3Vyc29y', VIEWER), 400, /cursor is malformed/],
      ['1 MB body', h.request('POST', `/v1/alerts/${id}/ack`, OPERATOR, { note: 'x'.repeat(1024 * 1024) }), 413, /larger than the 16384-byte limit/],
      ['text/plain body', h.request('POST', `/v1/alerts/${id}/ack`, OPERATOR, 'please ack', { 'content-type': 'text/plain' }), 415, /must be application\/json, got "text\/plain"/],
      ['invalid JSON', h.request('POST', `/v1/alerts/${id}/feedback`, OPERATOR, '{"verdict":', { 'content-type': 'application/json' }), 400, /body is not valid JSON/],
      ['unknown verdict', h.request('POST', `/v1/alerts/${id}/feedback`, OPERATOR, { verdict: 'maybe' }), 400, /verdict must be "false-alarm" or "confirmed", got "maybe"/],
      ['missing verdict', h.request('POST', `/v1/alerts/${id}/feedback`, OPERATOR, { note: 'hm' }), 400, /verdict must be .* got nothing/],
      ['no feedback body', h.request('POST', `/v1/alerts/${id}/feedback`, OPERATOR), 400, /body must be a JSON object with verdict, note/],
      ['unknown field', h.request('POST', `/v1/alerts/${id}/ack`, OPERATOR, { note: 'ok', user: 'bob' }), 400, /unknown field "user" in body; allowed: note/],
      ['array body', h.request('POST', `/v1/alerts/${id}/ack`, OPERATOR, [1, 2]), 400, /body must be a JSON object/],
      ['note not a string', h.request('POST', `/v1/alerts/${id}/ack`, OPERATOR, { note: 42 }), 400, /note must be a string/],
    ];
    for (const [name, pending, status, message] of cases) {
      const res = await pending;
      expect({ name, status: res.status }).toEqual({ name, status });
      expect(res.json).toEqual({ error: expect.stringMatching(message) });
    }
    // None of them acknowledged the alert.
    expect((await h.request('GET', `/v1/alerts/${id}`, VIEWER)).json.alert.ack).toBeNull();
  });

  it("serves snapshot.jpg and heatmap.jpg from the alert's folder on disk; 404 when absent", async () => {
    const a = alerts[13]!;
    const dir = alertFilesDir(h.dataDir, a.id);
    await mkdir(dir, { recursive: true });
    const snapshot = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]);
    const heatmap = Buffer.from([0xff, 0xd8, 0xff, 0xdb, 4, 5, 6, 0xff, 0xd9]);
    await writeFile(join(dir, ALERT_FILES.snapshot), snapshot);
    await writeFile(join(dir, ALERT_FILES.heatmap), heatmap);
    for (const [file, bytes] of [
      ['snapshot.jpg', snapshot],
      ['heatmap.jpg', heatmap],
    ] as const) {
      const res = await fetch(`${h.gateway.url}/v1/alerts/${a.id}/${file}`, { headers: { authorization: `Bearer ${VIEWER}` } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/jpeg');
      expect(Buffer.from(await res.arrayBuffer())).toEqual(bytes);
    }
    const missing = await h.request('GET', `/v1/alerts/${alerts[14]!.id}/heatmap.jpg`, VIEWER);
    expect(missing).toEqual({ status: 404, json: { error: `no heatmap.jpg for alert ${alerts[14]!.id}` } });
    expect((await h.request('GET', '/v1/alerts/bad%20id/snapshot.jpg', VIEWER)).status).toBe(400);
  });

  it('serves an OpenAPI 3.1 document without a token that covers every route', async () => {
    const res = await h.request('GET', '/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.json.openapi).toBe('3.1.0');
    const paths = Object.keys(res.json.paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/healthz',
        '/metrics',
        '/v1/cameras',
        '/v1/alerts',
        '/v1/alerts/{id}',
        '/v1/alerts/{id}/ack',
        '/v1/alerts/{id}/feedback',
        '/v1/alerts/{id}/snapshot.jpg',
        '/v1/alerts/{id}/heatmap.jpg',
        '/v1/live',
        '/v1/openapi.json',
      ]),
    );
    // Every documented HTTP route exists on the gateway (the router answers something other than "no route").
    for (const path of paths.filter((p) => p !== '/v1/live')) {
      for (const method of Object.keys(res.json.paths[path])) {
        const r = await h.request(method.toUpperCase(), path.replace('{id}', alerts[0]!.id), VIEWER);
        expect({ path, method, noRoute: String(r.json?.error ?? '').startsWith('no route') }).toEqual({ path, method, noRoute: false });
      }
    }
    // Every $ref resolves.
    const refs = JSON.stringify(res.json).match(/"#\/components\/schemas\/[A-Za-z]+"/g) ?? [];
    for (const ref of refs) expect(res.json.components.schemas).toHaveProperty(ref.slice(22, -1));
  });
});

describe('/v1/alerts without history configured', () => {
  let h: HistoryHarness;
  beforeAll(async () => {
    h = await startHistoryHarness(undefined);
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('answers 501 naming the missing config, while snapshots are still served from disk', async () => {
    const res = await h.request('GET', '/v1/alerts', VIEWER);
    expect(res).toEqual({ status: 501, json: { error: expect.stringMatching(/history\.postgresUrl/) } });
    const dir = alertFilesDir(h.dataDir, 'cam1-abc');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, ALERT_FILES.snapshot), Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
    expect((await fetch(`${h.gateway.url}/v1/alerts/cam1-abc/snapshot.jpg?token=${VIEWER}`)).status).toBe(200);
  });
});

describe('/v1/alerts while PostgreSQL is unreachable', () => {
  let h: HistoryHarness;
  beforeAll(async () => {
    h = await startHistoryHarness('postgres://postgres:postgres@127.0.0.1:1/test');
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('starts anyway and answers 503 naming PostgreSQL, while the rest of the gateway works', async () => {
    expect(await h.request('GET', '/v1/alerts', VIEWER)).toEqual({ status: 503, json: { error: expect.stringMatching(/PostgreSQL is not reachable/) } });
    expect((await h.request('POST', '/v1/alerts/cam1-x/ack', OPERATOR, {})).status).toBe(503);
    expect((await h.request('GET', '/v1/cameras', VIEWER)).status).toBe(200);
  });
});
