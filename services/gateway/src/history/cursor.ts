/** Opaque keyset-paging cursors for `GET /v1/alerts`: the (startedAt, id) of the last alert on a page. */
import { ALERT_ID } from './eventRecord.js';

export interface PageKey {
  startedAt: string;
  id: string;
}

export function encodeCursor(key: PageKey): string {
  return Buffer.from(`${key.startedAt}|${key.id}`, 'utf8').toString('base64url');
}

/** The key inside a cursor, or undefined when it is not one this gateway wrote. */
export function decodeCursor(cursor: string): PageKey | undefined {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(cursor)) return undefined;
  const [startedAt, id, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (rest.length > 0 || !startedAt || !id || !ALERT_ID.test(id)) return undefined;
  if (!/^\d{4}-\d\d-\d\dT/.test(startedAt) || !Number.isFinite(Date.parse(startedAt))) return undefined;
  return { startedAt, id };
}
