/**
 * The alert history API: `GET /v1/alerts` (filters, keyset paging), `GET /v1/alerts/:id` (with its
 * events), `POST /v1/alerts/:id/ack`, `POST /v1/alerts/:id/feedback`, and the alert's images from disk.
 * Viewers read; operators and admins acknowledge and give feedback.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ackConflictSchema, ackResponseSchema, ALERT_FILES, alertDetailSchema, alertFilesDir, alertPageSchema, errorSchema, feedbackResponseSchema, type Config, type Logger } from '@vigil/core';
import type { TokenAuth } from '../auth.js';
import { requestErrorOf } from '../httpErrors.js';
import { ackBodySchema, alertQuerySchema, feedbackBodySchema } from '../history/apiRequests.js';
import type { Actor } from '../history/alertStore.js';
import { ALERT_ID } from '../history/eventRecord.js';
import { addFalseAlarmFrame, removeFalseAlarmFrame } from '../history/feedbackFrames.js';
import type { History } from '../history/index.js';
import type { RecentAlerts } from '../recentAlerts.js';

/** Acks and feedback are a note at most; anything bigger is refused before it is read. */
export const ALERT_BODY_LIMIT = 16 * 1024;

const idParams = z.object({
  id: z.string().regex(ALERT_ID, { error: (iss) => `malformed alert id ${JSON.stringify(iss.input)}: expected letters, digits, ".", "_" or "-"` }),
});
/** Every route here may answer these. */
const failures = { 400: errorSchema, 401: errorSchema, 404: errorSchema, 501: errorSchema.describe('The gateway has no alert history (history.postgresUrl unset)'), 503: errorSchema };

class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** PostgreSQL unreachable, restarting or overloaded: the request may succeed later. */
function isUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown };
  if (typeof e.code === 'string' && /^(08|57P|53)|^E(CONNREFUSED|CONNRESET|TIMEDOUT|NOTFOUND|HOSTUNREACH|PIPE)$/.test(e.code)) return true;
  return typeof e.message === 'string' && /Connection terminated|timeout exceeded when trying to connect|Cannot use a pool after calling end/i.test(e.message);
}

const actor = (request: FastifyRequest): Actor => ({ role: request.role!, tokenId: request.tokenId ?? null });

export interface AlertRoutesDeps {
  auth: TokenAuth;
  config: Config;
  /** Undefined when `history.postgresUrl` is not set: the history routes answer 501. */
  history: History | undefined;
  log: Logger;
  /** Alerts just seen on the stream: their images may land a moment after their event (see RecentAlerts). */
  recentAlerts?: RecentAlerts;
}

/** How long a request for a recent alert's image waits for the worker to write it. */
const IMAGE_WAIT_MS = 3000;
const IMAGE_POLL_MS = 100;

async function readIfThere(file: string): Promise<Buffer | null> {
  try {
    return await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    return null;
  }
}

export async function registerAlertRoutes(app: FastifyInstance, deps: AlertRoutesDeps): Promise<void> {
  await app.register(async (scope) => alertRoutes(scope, deps));
}

async function alertRoutes(scope: FastifyInstance, { auth, config, history, log, recentAlerts }: AlertRoutesDeps): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();
  // Only JSON bodies here; an empty body is no body (ack takes an optional note).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: ALERT_BODY_LIMIT }, (_request, text, done) => {
    const body = String(text);
    if (body.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(body));
    } catch (err) {
      done(new HttpError(400, `body is not valid JSON: ${(err as Error).message}`), undefined);
    }
  });
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const status = err.statusCode ?? 500;
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return reply.code(413).send({ error: `request body is larger than the ${ALERT_BODY_LIMIT}-byte limit` });
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return reply.code(415).send({ error: `body must be application/json, got ${JSON.stringify(request.headers['content-type'] ?? 'no content-type')}` });
    }
    if (err.validation) return reply.code(400).send({ error: requestErrorOf(err.validation, err.validationContext ?? 'body').message });
    if ((status >= 400 && status < 500) || err instanceof HttpError) return reply.code(status).send({ error: err.message });
    if (isUnavailable(err)) {
      log.warn('history request failed: postgres unavailable', { url: request.url.split('?')[0], error: err });
      return reply.code(503).send({ error: 'alert history unavailable: PostgreSQL is not answering' });
    }
    log.error('request failed', { url: request.url.split('?')[0], error: err });
    return reply.code(500).send({ error: 'internal error' });
  });

  const store = () => {
    if (!history) throw new HttpError(501, 'alert history is not enabled on this gateway (set history.postgresUrl in the config)');
    if (!history.ready) throw new HttpError(503, 'alert history unavailable: PostgreSQL is not reachable yet');
    return history.store;
  };
  const read = { onRequest: auth.requireToken };
  const write = (action: string) => ({
    // The role is checked before the body is read: a viewer's request is refused whatever it carries.
    onRequest: [auth.requireToken, auth.requireRole(action, 'operator', 'admin')],
    bodyLimit: ALERT_BODY_LIMIT,
  });

  const listSchema = {
    summary: 'Alert history',
    description: 'Newest first, with keyset paging (pass nextCursor back as cursor).',
    querystring: alertQuerySchema,
    response: { 200: alertPageSchema, ...failures },
  };
  app.get('/v1/alerts', { ...read, schema: listSchema }, async (request) => store().list(request.query));

  const oneSchema = { summary: 'One alert with its events', params: idParams, response: { 200: alertDetailSchema, ...failures } };
  app.get('/v1/alerts/:id', { ...read, schema: oneSchema }, async (request) => {
    const { id } = request.params;
    const found = await store().getWithEvents(id);
    if (!found) throw new HttpError(404, `no alert ${id}`);
    return found;
  });

  const ackSchema = {
    summary: 'Acknowledge an alert (operator, admin)',
    params: idParams,
    body: ackBodySchema,
    response: { 200: ackResponseSchema, 409: ackConflictSchema.describe('Already acknowledged'), 403: errorSchema, 413: errorSchema, 415: errorSchema, ...failures },
  };
  app.post('/v1/alerts/:id/ack', { ...write('acknowledge alerts'), schema: ackSchema }, async (request, reply) => {
    const { id } = request.params;
    const { note } = request.body;
    const result = await store().ack(id, actor(request), note);
    if (result.ok) return { alert: result.alert };
    if (result.reason === 'not-found') throw new HttpError(404, `no alert ${id}`);
    const { ack } = result.alert;
    return reply.code(409).send({ error: `alert ${id} was already acknowledged at ${ack?.at} by a ${ack?.role} token`, alert: result.alert });
  });

  const feedbackSchema = {
    summary: 'Give feedback on an alert (operator, admin)',
    params: idParams,
    body: feedbackBodySchema,
    response: { 200: feedbackResponseSchema, 403: errorSchema, 413: errorSchema, 415: errorSchema, ...failures },
  };
  app.post('/v1/alerts/:id/feedback', { ...write('give feedback on alerts'), schema: feedbackSchema }, async (request) => {
    const { id } = request.params;
    const { verdict, note } = request.body;
    const result = await store().setFeedback(id, actor(request), verdict, note);
    if (!result) throw new HttpError(404, `no alert ${id}`);
    const { alert, previous } = result;
    let frameAddedToNormal = false;
    if (verdict === 'false-alarm') frameAddedToNormal = await addFalseAlarmFrame(config.dataDir, alert.cameraId, id);
    else if (previous === 'false-alarm') await removeFalseAlarmFrame(config.dataDir, alert.cameraId, id);
    return { alert, frameAddedToNormal };
  });

  const image = (file: string) => async (request: { params: unknown }, reply: FastifyReply) => {
    const { id } = request.params as z.infer<typeof idParams>;
    const path = join(alertFilesDir(config.dataDir, id), file);
    let jpeg = await readIfThere(path);
    // A new alert's images land just after its event: wait for them a moment rather than answer 404.
    for (let waited = 0; !jpeg && recentAlerts?.isRecent(id) && waited < IMAGE_WAIT_MS; waited += IMAGE_POLL_MS) {
      await new Promise((r) => setTimeout(r, IMAGE_POLL_MS));
      jpeg = await readIfThere(path);
    }
    if (!jpeg) throw new HttpError(404, `no ${file} for alert ${id}`);
    return reply.type('image/jpeg').header('cache-control', 'private, max-age=3600').send(jpeg);
  };
  const imageSchema = (summary: string) => ({
    summary,
    params: idParams,
    response: { 200: { description: 'JPEG', content: { 'image/jpeg': { schema: z.string().meta({ format: 'binary' }) } } }, ...failures },
  });
  app.get('/v1/alerts/:id/snapshot.jpg', { ...read, schema: imageSchema("The analysed frame at the alert's peak, its regions drawn") }, image(ALERT_FILES.snapshot));
  app.get('/v1/alerts/:id/heatmap.jpg', { ...read, schema: imageSchema('The anomaly map at the peak') }, image(ALERT_FILES.heatmap));
}
