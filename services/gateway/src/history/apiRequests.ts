/**
 * The `/v1/alerts` requests as zod schemas: the query string (filters and keyset paging) and the ack
 * and feedback bodies. Fastify validates with them (fastify-type-provider-zod) and the OpenAPI document
 * is generated from them; each message names the field and what it takes.
 */
import { z } from 'zod';
import { verdictSchema } from '@vigil/core';
import type { AlertQuery } from './alertStore.js';
import { decodeCursor } from './cursor.js';

export const MAX_PAGE = 500;
export const DEFAULT_PAGE = 50;
export const MAX_NOTE = 2000;

const CAMERA_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const ISO_TIME = /^\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d{1,9})?)?(?:Z|[+-]\d\d:?\d\d)?)?$/;
const QUERY_KEYS = ['camera', 'from', 'to', 'state', 'limit', 'cursor'];

/** One query parameter: a repeated one arrives as an array, and is named as such. */
function param(name: string, what: (input: unknown) => string) {
  return z.string({ error: (iss) => (Array.isArray(iss.input) ? `query parameter "${name}" given more than once` : what(iss.input)) });
}

function isoTime(name: string) {
  const what = (input: unknown) => `${name} must be an ISO-8601 time like 2025-01-31T12:00:00Z, got ${JSON.stringify(input)}`;
  return param(name, what)
    .refine((v) => ISO_TIME.test(v) && Number.isFinite(Date.parse(v)), { error: (iss) => what(iss.input) })
    .transform((v) => new Date(Date.parse(v)).toISOString())
    .meta({ format: 'date-time' });
}

export const alertQuerySchema = z
  .strictObject(
    {
      camera: param('camera', (v) => `camera must be a camera id (letters, digits, "-" or "_"), got ${JSON.stringify(v)}`)
        .regex(CAMERA_ID, { error: (iss) => `camera must be a camera id (letters, digits, "-" or "_"), got ${JSON.stringify(iss.input)}` })
        .optional()
        .describe('Only this camera'),
      from: isoTime('from').optional().describe('Alerts started at or after this time'),
      to: isoTime('to').optional().describe('Alerts started before this time'),
      state: z
        .enum(['open', 'closed'], {
          error: (iss) => (Array.isArray(iss.input) ? 'query parameter "state" given more than once' : `state must be "open" or "closed", got ${JSON.stringify(iss.input)}`),
        })
        .optional(),
      limit: param('limit', (v) => `limit must be an integer from 1 to ${MAX_PAGE}, got ${JSON.stringify(v)}`)
        .refine((v) => /^\d{1,4}$/.test(v) && Number(v) >= 1 && Number(v) <= MAX_PAGE, { error: (iss) => `limit must be an integer from 1 to ${MAX_PAGE}, got ${JSON.stringify(iss.input)}` })
        .transform(Number)
        .optional()
        .meta({ pattern: '^[0-9]{1,4}$', description: `Page size, 1–${MAX_PAGE} (default ${DEFAULT_PAGE})` }),
      cursor: param('cursor', () => 'cursor is malformed; pass back the nextCursor of the previous page unchanged')
        .refine((v) => decodeCursor(v) !== undefined, 'cursor is malformed; pass back the nextCursor of the previous page unchanged')
        .optional()
        .describe('The nextCursor of the previous page'),
      token: z.string().optional().describe('The token, when not sent as a header'),
    },
    { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown query parameter "${iss.keys[0]}"; expected ${QUERY_KEYS.join(', ')}` : undefined) },
  )
  .refine((q) => !(q.from && q.to && q.from > q.to), { error: (iss) => `from (${(iss.input as { from: string }).from}) is after to (${(iss.input as { to: string }).to})` })
  .transform(
    ({ camera, from, to, state, limit, cursor }): AlertQuery => ({
      limit: limit ?? DEFAULT_PAGE,
      ...(camera !== undefined ? { camera } : {}),
      ...(from !== undefined ? { from } : {}),
      ...(to !== undefined ? { to } : {}),
      ...(state !== undefined ? { state } : {}),
      ...(cursor !== undefined ? { after: decodeCursor(cursor)! } : {}),
    }),
  );

const note = z
  .string({ error: 'note must be a string' })
  .max(MAX_NOTE, `note is longer than ${MAX_NOTE} characters`)
  .nullable()
  .optional()
  .transform((v) => v ?? null);

function bodyObject<T extends z.ZodRawShape>(shape: T, required: boolean) {
  const allowed = Object.keys(shape).join(', ');
  // No body at all (Fastify gives null) is the same as none sent.
  const object = z.strictObject(shape, {
    error: (iss) => {
      if (iss.code === 'unrecognized_keys') return `unknown field "${iss.keys[0]}" in body; allowed: ${allowed}`;
      if (iss.code === 'invalid_type') return iss.input === undefined || iss.input === null ? `body must be a JSON object with ${allowed}` : 'body must be a JSON object';
      return undefined;
    },
  });
  return z.preprocess(
    (v) => (v === null ? undefined : v),
    object.optional().refine((v) => !required || v !== undefined, `body must be a JSON object with ${allowed}`),
  );
}

/** `POST /v1/alerts/:id/ack`: an optional note (an empty body is no note). */
export const ackBodySchema = bodyObject({ note }, false).transform((b) => ({ note: b?.note ?? null }));

/** `POST /v1/alerts/:id/feedback`: the operator's verdict and an optional note. */
export const feedbackBodySchema = bodyObject(
  {
    verdict: z
      .enum(verdictSchema.options, { error: (iss) => `verdict must be "false-alarm" or "confirmed", got ${iss.input === undefined ? 'nothing' : JSON.stringify(iss.input)}` })
      .describe("false-alarm also adds the alert's frame to the camera's normal footage for its next training"),
    note,
  },
  true,
).transform((b) => ({ verdict: b!.verdict, note: b!.note ?? null }));
