/** The alert history in PostgreSQL: recording stream events, queries for the API, ack, feedback, retention. */
import type pg from 'pg';
import type { AlertEvent, AlertKind, AlertState, FrameSize, Region, Role } from '@vigil/core';
import { alertImageUrl } from '@vigil/core';
import { encodeCursor, type PageKey } from './cursor.js';
import type { EventRecord } from './eventRecord.js';

export type Verdict = 'false-alarm' | 'confirmed';

/** An alert as the API returns it. */
export interface StoredAlert {
  id: string;
  cameraId: string;
  /** 'anomaly', 'camera-offline' (the camera delivered no frames) or 'camera-tampered' (its whole view changed); `reason` says why. */
  kind: AlertKind;
  reason: string | null;
  state: AlertState;
  startedAt: string;
  updatedAt: string;
  endedAt: string | null;
  score: number;
  peakScore: number;
  frame: FrameSize;
  regions: Region[];
  members: Record<string, number>;
  modelVersion: string;
  snapshotUrl: string;
  heatmapUrl: string;
  ack: { at: string; role: Role; tokenId: string | null; note: string | null } | null;
  feedback: { verdict: Verdict; at: string; role: Role; note: string | null } | null;
}

export interface StoredEvent {
  eventId: string;
  kind: AlertEvent['event'];
  at: string;
  score: number;
  regions: Region[];
  members: Record<string, number>;
}

export interface AlertQuery {
  camera?: string;
  /** Inclusive lower bound of startedAt. */
  from?: string;
  /** Exclusive upper bound of startedAt. */
  to?: string;
  state?: AlertState;
  limit: number;
  after?: PageKey;
}

export interface Actor {
  role: Role;
  tokenId: string | null;
}

interface AlertRow {
  id: string;
  camera_id: string;
  kind: AlertKind;
  reason: string | null;
  state: AlertState;
  started_at: Date;
  started_key: string;
  updated_at: Date;
  ended_at: Date | null;
  score: number;
  peak_score: number;
  frame_width: number;
  frame_height: number;
  regions: Region[];
  members: Record<string, number>;
  model_version: string;
  snapshot_url: string;
  heatmap_url: string;
  acked_at: Date | null;
  acked_by_role: Role | null;
  acked_token_hash: string | null;
  ack_note: string | null;
  feedback: Verdict | null;
  feedback_at: Date | null;
  feedback_role: Role | null;
  feedback_note: string | null;
}

// The exact stored start (microseconds), so a page boundary never skips or repeats an alert.
const COLUMNS = `*, to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS started_key`;

function toAlert(r: AlertRow): StoredAlert {
  return {
    id: r.id,
    cameraId: r.camera_id,
    kind: r.kind,
    reason: r.reason,
    state: r.state,
    startedAt: r.started_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    endedAt: r.ended_at?.toISOString() ?? null,
    score: r.score,
    peakScore: r.peak_score,
    frame: { width: r.frame_width, height: r.frame_height },
    regions: r.regions,
    members: r.members,
    modelVersion: r.model_version,
    snapshotUrl: r.snapshot_url,
    heatmapUrl: r.heatmap_url,
    ack: r.acked_at && r.acked_by_role ? { at: r.acked_at.toISOString(), role: r.acked_by_role, tokenId: r.acked_token_hash, note: r.ack_note } : null,
    feedback: r.feedback && r.feedback_at && r.feedback_role ? { verdict: r.feedback, at: r.feedback_at.toISOString(), role: r.feedback_role, note: r.feedback_note } : null,
  };
}

/** Inserts an alert or moves its row forward to a later event; the peak only ever grows. */
const UPSERT_ALERT = `INSERT INTO alerts (id, camera_id, state, started_at, updated_at, ended_at, score, peak_score, frame_width, frame_height,
    regions, members, model_version, snapshot_url, heatmap_url, last_event_ms, last_event_seq, kind, reason)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
  ON CONFLICT (id) DO UPDATE SET
    peak_score = GREATEST(alerts.peak_score, EXCLUDED.peak_score),
    state = CASE WHEN newer THEN EXCLUDED.state ELSE alerts.state END,
    updated_at = CASE WHEN newer THEN EXCLUDED.updated_at ELSE alerts.updated_at END,
    ended_at = CASE WHEN newer THEN EXCLUDED.ended_at ELSE alerts.ended_at END,
    score = CASE WHEN newer THEN EXCLUDED.score ELSE alerts.score END,
    frame_width = CASE WHEN newer THEN EXCLUDED.frame_width ELSE alerts.frame_width END,
    frame_height = CASE WHEN newer THEN EXCLUDED.frame_height ELSE alerts.frame_height END,
    regions = CASE WHEN newer THEN EXCLUDED.regions ELSE alerts.regions END,
    members = CASE WHEN newer THEN EXCLUDED.members ELSE alerts.members END,
    model_version = CASE WHEN newer THEN EXCLUDED.model_version ELSE alerts.model_version END,
    snapshot_url = CASE WHEN newer THEN EXCLUDED.snapshot_url ELSE alerts.snapshot_url END,
    heatmap_url = CASE WHEN newer THEN EXCLUDED.heatmap_url ELSE alerts.heatmap_url END,
    last_event_ms = CASE WHEN newer THEN EXCLUDED.last_event_ms ELSE alerts.last_event_ms END,
    last_event_seq = CASE WHEN newer THEN EXCLUDED.last_event_seq ELSE alerts.last_event_seq END`.replaceAll(
  'newer',
  '(EXCLUDED.last_event_ms, EXCLUDED.last_event_seq) > (alerts.last_event_ms, alerts.last_event_seq)',
);

export type AckResult = { ok: true; alert: StoredAlert } | { ok: false; reason: 'not-found' } | { ok: false; reason: 'already-acked'; alert: StoredAlert };

export class AlertStore {
  constructor(readonly pool: pg.Pool) {}

  /**
   * Stores one stream event, idempotently: the event row is keyed by its stream id, and the alert
   * row only moves forward to a later event, so a redelivered or late event changes nothing.
   * Returns false when the event was already stored.
   */
  async record(rec: EventRecord): Promise<boolean> {
    return (await this.recordAll([rec])) === 1;
  }

  /** Stores events in one transaction (one commit for a batch read from the stream); returns how many were new. */
  async recordAll(recs: EventRecord[]): Promise<number> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      let inserted = 0;
      for (const rec of recs) inserted += await this.recordIn(client, rec);
      await client.query('COMMIT');
      return inserted;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  private async recordIn(client: pg.PoolClient, rec: EventRecord): Promise<number> {
    const { alert } = rec.event;
    await client.query(UPSERT_ALERT, [
      alert.id,
      alert.cameraId,
      alert.state,
      alert.startedAt,
      alert.updatedAt,
      alert.endedAt ?? null,
      alert.score,
      alert.frame.width,
      alert.frame.height,
      JSON.stringify(alert.regions),
      JSON.stringify(alert.members),
      alert.modelVersion,
      alert.snapshotUrl,
      alertImageUrl(alert.id, 'heatmap'),
      rec.streamMs,
      rec.streamSeq,
      alert.kind ?? 'anomaly',
      alert.reason ?? null,
    ]);
    const { type, event } = rec.event;
    const inserted = await client.query(
      `INSERT INTO alert_events (event_id, stream_ms, stream_seq, alert_id, kind, at, score, regions, members, payload)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (event_id) DO NOTHING`,
      [rec.eventId, rec.streamMs, rec.streamSeq, alert.id, event, rec.at, alert.score, JSON.stringify(alert.regions), JSON.stringify(alert.members), JSON.stringify({ type, event, alert })],
    );
    return inserted.rowCount ?? 0;
  }

  /** Newest first; `nextCursor` is set when more alerts match. */
  async list(q: AlertQuery): Promise<{ alerts: StoredAlert[]; nextCursor: string | null }> {
    const where: string[] = [];
    const args: unknown[] = [];
    const arg = (v: unknown) => `$${args.push(v)}`;
    if (q.camera) where.push(`camera_id = ${arg(q.camera)}`);
    if (q.from) where.push(`started_at >= ${arg(q.from)}`);
    if (q.to) where.push(`started_at < ${arg(q.to)}`);
    if (q.state) where.push(`state = ${arg(q.state)}`);
    if (q.after) where.push(`(started_at, id) < (${arg(q.after.startedAt)}::timestamptz, ${arg(q.after.id)}::text)`);
    const sql = `SELECT ${COLUMNS} FROM alerts ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY started_at DESC, id DESC LIMIT ${arg(q.limit + 1)}`;
    const rows = (await this.pool.query<AlertRow>(sql, args)).rows;
    const page = rows.slice(0, q.limit);
    const last = page.at(-1);
    return {
      alerts: page.map(toAlert),
      nextCursor: rows.length > q.limit && last ? encodeCursor({ startedAt: last.started_key, id: last.id }) : null,
    };
  }

  async get(id: string): Promise<StoredAlert | undefined> {
    const { rows } = await this.pool.query<AlertRow>(`SELECT ${COLUMNS} FROM alerts WHERE id = $1`, [id]);
    return rows[0] && toAlert(rows[0]);
  }

  /** The alert and its events as of one snapshot, so a concurrent event cannot make them disagree. */
  async getWithEvents(id: string): Promise<{ alert: StoredAlert; events: StoredEvent[] } | undefined> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const { rows } = await client.query<AlertRow>(`SELECT ${COLUMNS} FROM alerts WHERE id = $1`, [id]);
      const result = rows[0] && { alert: toAlert(rows[0]), events: await this.events(id, client) };
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async events(alertId: string, db: pg.Pool | pg.PoolClient = this.pool): Promise<StoredEvent[]> {
    const { rows } = await db.query<{ event_id: string; kind: AlertEvent['event']; at: Date; score: number; regions: Region[]; members: Record<string, number> }>(
      'SELECT event_id, kind, at, score, regions, members FROM alert_events WHERE alert_id = $1 ORDER BY stream_ms, stream_seq',
      [alertId],
    );
    return rows.map((r) => ({ eventId: r.event_id, kind: r.kind, at: r.at.toISOString(), score: r.score, regions: r.regions, members: r.members }));
  }

  /** The first acknowledgement wins; a second one is refused so nobody's note is overwritten. */
  async ack(id: string, actor: Actor, note: string | null): Promise<AckResult> {
    const { rows } = await this.pool.query<AlertRow>(
      `UPDATE alerts SET acked_at = now(), acked_by_role = $2, acked_token_hash = $3, ack_note = $4
       WHERE id = $1 AND acked_at IS NULL RETURNING ${COLUMNS}`,
      [id, actor.role, actor.tokenId, note],
    );
    if (rows[0]) return { ok: true, alert: toAlert(rows[0]) };
    const existing = await this.get(id);
    return existing ? { ok: false, reason: 'already-acked', alert: existing } : { ok: false, reason: 'not-found' };
  }

  /** Sets (or replaces) the operator's verdict; returns the alert and the verdict it replaced. */
  async setFeedback(id: string, actor: Actor, verdict: Verdict, note: string | null): Promise<{ alert: StoredAlert; previous: Verdict | null } | undefined> {
    const { rows } = await this.pool.query<AlertRow & { previous: Verdict | null }>(
      `UPDATE alerts a SET feedback = $2, feedback_at = now(), feedback_role = $3, feedback_note = $4
       FROM (SELECT id, feedback AS previous FROM alerts WHERE id = $1 FOR UPDATE) p
       WHERE a.id = p.id RETURNING a.*, p.previous,
         to_char(a.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS started_key`,
      [id, verdict, actor.role, note],
    );
    const row = rows[0];
    return row && { alert: toAlert(row), previous: row.previous };
  }

  /** Events after `since` and before `before` (stream ids), oldest first, as pushed to live clients. */
  async eventsBetween(since: [string, string], before: [string, string] | null, limit: number): Promise<Array<{ eventId: string; payload: Omit<AlertEvent, 'eventId'> }>> {
    const args: unknown[] = [since[0], since[1]];
    let bound = '';
    if (before) {
      args.push(before[0], before[1]);
      bound = 'AND (stream_ms, stream_seq) < ($3::bigint, $4::bigint)';
    }
    args.push(limit);
    const { rows } = await this.pool.query<{ event_id: string; payload: Omit<AlertEvent, 'eventId'> }>(
      `SELECT event_id, payload FROM alert_events WHERE (stream_ms, stream_seq) > ($1::bigint, $2::bigint) ${bound}
       ORDER BY stream_ms, stream_seq LIMIT $${args.length}`,
      args,
    );
    return rows.map((r) => ({ eventId: r.event_id, payload: r.payload }));
  }

  /** Deletes a camera's alerts (and their events) with no activity since `cutoff`; returns their ids. */
  async deleteOlderThan(cameraId: string, cutoff: Date): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>('DELETE FROM alerts WHERE camera_id = $1 AND updated_at < $2 RETURNING id', [cameraId, cutoff]);
    return rows.map((r) => r.id);
  }

  /** Cameras with stored alerts, including ones no longer configured. */
  async cameraIds(): Promise<string[]> {
    const { rows } = await this.pool.query<{ camera_id: string }>('SELECT DISTINCT camera_id FROM alerts');
    return rows.map((r) => r.camera_id);
  }
}
