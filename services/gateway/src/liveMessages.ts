/** Messages a `/v1/live` client may send, validated into requests or one-line errors. */
import { isStreamId } from './streamIds.js';

export interface SubscribeRequest {
  type: 'subscribe';
  /** null or empty: all cameras. */
  cameras: string[] | null;
  since: string | null;
}

export type ClientMessage = SubscribeRequest;

export function parseClientMessage(text: string): { ok: true; message: ClientMessage } | { ok: false; error: string } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, error: 'message is not valid JSON' };
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { ok: false, error: 'message must be a JSON object' };
  const { type, cameras, since } = body as Record<string, unknown>;
  if (type !== 'subscribe') return { ok: false, error: `unknown message type ${JSON.stringify(type ?? null)}; expected "subscribe"` };
  if (cameras !== undefined && cameras !== null && !(Array.isArray(cameras) && cameras.every((c) => typeof c === 'string'))) {
    return { ok: false, error: 'subscribe: "cameras" must be an array of camera ids' };
  }
  if (since !== undefined && since !== null && !isStreamId(since)) {
    return { ok: false, error: 'subscribe: "since" must be an event id like "1700000000000-0"' };
  }
  return { ok: true, message: { type: 'subscribe', cameras: (cameras as string[] | null | undefined) ?? null, since: (since as string | null | undefined) ?? null } };
}
