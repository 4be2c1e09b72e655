/** Messages a `/v1/live` client may send, validated with the wire contract's schema into requests or one-line errors. */
import { liveClientMessageSchema } from '@vigil/core';
import { isStreamId } from './streamIds.js';

export interface SubscribeRequest {
  type: 'subscribe';
  /** null or empty: all cameras. */
  cameras: string[] | null;
  since: string | null;
}

export type ClientMessage = SubscribeRequest;

/** What each field of a subscribe must be, as the client is told. */
const FIELD_ERRORS: Record<string, string> = {
  cameras: 'subscribe: "cameras" must be an array of camera ids',
  since: 'subscribe: "since" must be an event id like "1700000000000-0"',
};

export function parseClientMessage(text: string): { ok: true; message: ClientMessage } | { ok: false; error: string } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, error: 'message is not valid JSON' };
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { ok: false, error: 'message must be a JSON object' };
  const { type } = body as Record<string, unknown>;
  if (type !== 'subscribe') return { ok: false, error: `unknown message type ${JSON.stringify(type ?? null)}; expected "subscribe"` };
  const parsed = liveClientMessageSchema.safeParse(body);
  if (!parsed.success) {
    const field = String(parsed.error.issues[0]?.path[0] ?? '');
    return { ok: false, error: FIELD_ERRORS[field] ?? `subscribe: ${parsed.error.issues[0]?.message ?? 'invalid'}` };
  }
  const { cameras = null, since = null } = parsed.data;
  if (since !== null && !isStreamId(since)) return { ok: false, error: FIELD_ERRORS.since! };
  return { ok: true, message: { type: 'subscribe', cameras, since } };
}
