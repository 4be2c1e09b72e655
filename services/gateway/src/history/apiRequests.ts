/** Validation of `/v1/alerts` query strings and request bodies into typed requests or one clear error. */
import type { AlertQuery, Verdict } from './alertStore.js';
import { decodeCursor } from './cursor.js';

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

export const MAX_PAGE = 500;
export const DEFAULT_PAGE = 50;
export const MAX_NOTE = 2000;

const CAMERA_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const ISO_TIME = /^\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d{1,9})?)?(?:Z|[+-]\d\d:?\d\d)?)?$/;
const QUERY_KEYS = ['camera', 'from', 'to', 'state', 'limit', 'cursor', 'token'];

const fail = (error: string): { ok: false; error: string } => ({ ok: false, error });

function time(name: string, value: string): Parsed<string> {
  const ms = ISO_TIME.test(value) ? Date.parse(value) : NaN;
  return Number.isFinite(ms) ? { ok: true, value: new Date(ms).toISOString() } : fail(`${name} must be an ISO-8601 time like 2025-01-31T12:00:00Z, got ${JSON.stringify(value)}`);
}

export function parseAlertQuery(query: unknown): Parsed<AlertQuery> {
  const q = (query ?? {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries(q)) {
    if (!QUERY_KEYS.includes(key)) return fail(`unknown query parameter "${key}"; expected ${QUERY_KEYS.slice(0, -1).join(', ')}`);
    if (typeof value !== 'string') return fail(`query parameter "${key}" given more than once`);
  }
  const s = q as Record<string, string | undefined>;
  const out: AlertQuery = { limit: DEFAULT_PAGE };
  if (s.camera !== undefined) {
    if (!CAMERA_ID.test(s.camera)) return fail(`camera must be a camera id (letters, digits, "-" or "_"), got ${JSON.stringify(s.camera)}`);
    out.camera = s.camera;
  }
  for (const name of ['from', 'to'] as const) {
    const value = s[name];
    if (value === undefined) continue;
    const t = time(name, value);
    if (!t.ok) return t;
    out[name] = t.value;
  }
  if (out.from && out.to && out.from > out.to) return fail(`from (${out.from}) is after to (${out.to})`);
  if (s.state !== undefined) {
    if (s.state !== 'open' && s.state !== 'closed') return fail(`state must be "open" or "closed", got ${JSON.stringify(s.state)}`);
    out.state = s.state;
  }
  if (s.limit !== undefined) {
    const n = /^\d{1,4}$/.test(s.limit) ? Number(s.limit) : NaN;
    if (!(n >= 1 && n <= MAX_PAGE)) return fail(`limit must be an integer from 1 to ${MAX_PAGE}, got ${JSON.stringify(s.limit)}`);
    out.limit = n;
  }
  if (s.cursor !== undefined) {
    const after = decodeCursor(s.cursor);
    if (!after) return fail('cursor is malformed; pass back the nextCursor of the previous page unchanged');
    out.after = after;
  }
  return { ok: true, value: out };
}

function objectBody(body: unknown, allowed: string[], required: boolean): Parsed<Record<string, unknown>> {
  if (body === undefined || body === null) return required ? fail(`body must be a JSON object with ${allowed.join(', ')}`) : { ok: true, value: {} };
  if (typeof body !== 'object' || Array.isArray(body)) return fail('body must be a JSON object');
  const unknown = Object.keys(body).find((k) => !allowed.includes(k));
  if (unknown !== undefined) return fail(`unknown field "${unknown}" in body; allowed: ${allowed.join(', ')}`);
  return { ok: true, value: body as Record<string, unknown> };
}

function note(value: unknown): Parsed<string | null> {
  if (value === undefined || value === null) return { ok: true, value: null };
  if (typeof value !== 'string') return fail('note must be a string');
  if (value.length > MAX_NOTE) return fail(`note is longer than ${MAX_NOTE} characters`);
  return { ok: true, value };
}

export function parseAckBody(body: unknown): Parsed<{ note: string | null }> {
  const obj = objectBody(body, ['note'], false);
  if (!obj.ok) return obj;
  const n = note(obj.value.note);
  return n.ok ? { ok: true, value: { note: n.value } } : n;
}

export function parseFeedbackBody(body: unknown): Parsed<{ verdict: Verdict; note: string | null }> {
  const obj = objectBody(body, ['verdict', 'note'], true);
  if (!obj.ok) return obj;
  const { verdict } = obj.value;
  if (verdict !== 'false-alarm' && verdict !== 'confirmed') {
    return fail(`verdict must be "false-alarm" or "confirmed", got ${verdict === undefined ? 'nothing' : JSON.stringify(verdict)}`);
  }
  const n = note(obj.value.note);
  return n.ok ? { ok: true, value: { verdict, note: n.value } } : n;
}
