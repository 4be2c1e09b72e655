/**
 * Retrospective reviews of recordings on the server: `POST /v1/reviews` queues one (a BullMQ job the
 * worker runs), `GET /v1/reviews` lists them with their state, `GET /v1/reviews/:id` gives one with
 * its report.json, and `…/report.html` and `…/thumbs/<n>.jpg` serve what it wrote.
 */
import { existsSync } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { Queue, type Job, type JobType } from 'bullmq';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { errorSchema, redisKeys, reviewDetailSchema, reviewDir, reviewListSchema, reviewQueuedSchema, type Config, type ReviewState, type ReviewSummary } from '@vigil/core';
import { newReviewId, REVIEW_ID, reviewQueueName, type ReviewJob, type ReviewJobProgress, type ReviewJobResult } from '@vigil/review/jobs';
import type { TokenAuth } from '../auth.js';
import { fromRedis } from '../httpErrors.js';

export interface ReviewRoutesDeps {
  auth: TokenAuth;
  config: Config;
  /** For the queue and the cameras' model versions; not closed here. */
  redis: Redis;
  /** Folders recordings may be reviewed from. Default: `<dataDir>/recordings` and each path in `VIGIL_REVIEW_DIRS` (separated by `:`). */
  reviewDirs?: string[];
}

export type { ReviewState, ReviewSummary };

const LIST_LIMIT = 200;
/** The queue's lists a review is in, in the order a job moves through them. */
const LISTED = ['waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed'] as const;
const KEEP_FINISHED = { count: 1000 };
const THUMB = /^[1-9][0-9]{0,4}\.jpg$/;
const MAX_PATH = 4096;
// The report is one self-contained page: it may show inline styles and data: images, and fetch nothing.
const REPORT_CSP = "default-src 'none'; img-src data: 'self'; style-src 'unsafe-inline'";

export function allowedReviewDirs(config: Config, env: NodeJS.ProcessEnv = process.env): string[] {
  const extra = (env.VIGIL_REVIEW_DIRS ?? '').split(delimiter).filter((d) => d.trim() !== '');
  return [join(config.dataDir, 'recordings'), ...extra].map((d) => resolve(d));
}

function isInside(dir: string, file: string): boolean {
  const rel = relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) && !rel.split(sep).includes('..');
}

function stateOf(bull: JobType | 'unknown'): ReviewState | undefined {
  if (bull === 'active') return 'running';
  if (bull === 'completed') return 'completed';
  if (bull === 'failed') return 'failed';
  if (bull === 'waiting' || bull === 'delayed' || bull === 'prioritized' || bull === 'waiting-children' || bull === 'wait') return 'queued';
  return undefined;
}

type ReviewBullJob = Job<ReviewJob, ReviewJobResult>;

/**
 * `state` must have been read before `job`: jobs only move forward, and BullMQ sets a job's result or
 * failure reason in the same step that moves it, so fields read after the state always carry them.
 */
function summarise(job: ReviewBullJob, s: ReviewState): ReviewSummary {
  const { reviewId, cameraId, file, requestedAt, requestedBy } = job.data;
  const out: ReviewSummary = { id: reviewId, camera: cameraId, file, state: s, requestedAt, requestedBy };
  if (job.finishedOn) out.finishedAt = new Date(job.finishedOn).toISOString();
  const progress = job.progress as ReviewJobProgress | number | undefined;
  if (s === 'running' && progress && typeof progress === 'object') out.progress = progress.fraction;
  if (s === 'completed') {
    if (job.returnvalue) out.alerts = job.returnvalue.alerts;
    out.reportUrl = `/v1/reviews/${reviewId}/report.html`;
  }
  if (s === 'failed') out.error = job.failedReason;
  return out;
}

const reviewRequestSchema = z.strictObject(
  {
    file: z.string({ error: 'file must be a path string' }).min(1, 'file must be a path string').describe('Absolute path of the recording on the server, under a folder allowed for review'),
    camera: z.string({ error: 'camera must be a camera id string' }).min(1, 'camera must be a camera id string').describe("Whose model reviews it (the camera's current version)"),
  },
  {
    error: (iss) => {
      if (iss.code === 'unrecognized_keys') return `unknown field${iss.keys.length > 1 ? 's' : ''} ${iss.keys.map((k) => `"${k}"`).join(', ')}; expected file and camera`;
      if (iss.code === 'invalid_type') return 'body must be a JSON object {"file": "<path on the server>", "camera": "<camera id>"}';
      return undefined;
    },
  },
);
const reviewId = z.object({ id: z.string().regex(REVIEW_ID, 'malformed review id') });
const failures = { 400: errorSchema, 401: errorSchema, 404: errorSchema, 503: errorSchema };

export function registerReviewRoutes(scope: FastifyInstance, deps: ReviewRoutesDeps): void {
  const app = scope.withTypeProvider<ZodTypeProvider>();
  const { auth, config, redis } = deps;
  const keys = redisKeys(config.namespace);
  const queue = new Queue<ReviewJob, ReviewJobResult>(reviewQueueName(config.namespace), { connection: redis });
  app.addHook('onClose', async () => {
    await queue.close();
  });
  const dirs = deps.reviewDirs?.map((d) => resolve(d)) ?? allowedReviewDirs(config);
  const cameras = new Set(config.cameras.map((c) => c.id));
  const bad = (reply: FastifyReply, code: number, error: string) => reply.code(code).send({ error });

  const queueSchema = {
    summary: 'Queue a review of a recording on the server (operator, admin)',
    description: "A worker runs the camera's current model over the recording and writes report.json and report.html; poll GET /v1/reviews/{id}.",
    body: reviewRequestSchema,
    response: { 202: reviewQueuedSchema, 403: errorSchema, 409: errorSchema.describe('The camera has no model yet'), 415: errorSchema, ...failures },
  };
  const jsonOnly = async (request: { headers: Record<string, string | string[] | undefined> }, reply: FastifyReply) => {
    const type = request.headers['content-type'];
    if (!/^application\/json\s*(;|$)/i.test(typeof type === 'string' ? type : '')) return bad(reply, 415, 'content-type must be application/json');
  };
  app.post(
    '/v1/reviews',
    { schema: queueSchema, onRequest: auth.requireToken, preHandler: auth.requireRole('queue a review', 'operator', 'admin'), preValidation: jsonOnly },
    async (request, reply) => {
      const { file, camera } = request.body;
      if (!cameras.has(camera)) return bad(reply, 400, `unknown camera "${camera.slice(0, 64)}"`);
      if (file.length > MAX_PATH || file.includes('\0')) return bad(reply, 400, 'file is not a valid path');
      if (!isAbsolute(file)) return bad(reply, 400, `file must be an absolute path on the server, got "${file.slice(0, 200)}"`);

      // Checked on the path as given before touching the disk (so nothing outside leaks whether it exists), then on the real path (symlinks).
      const lexical = resolve(file);
      const notAllowed = () => bad(reply, 403, `file is not under a directory allowed for review (${dirs.join(', ')}); set VIGIL_REVIEW_DIRS to allow more`);
      if (!dirs.some((d) => isInside(d, lexical))) return notAllowed();
      if (!existsSync(lexical)) return bad(reply, 404, `file not found on the server: ${lexical}`);
      const real = await realpath(lexical);
      const realDirs = await Promise.all(dirs.filter((d) => existsSync(d)).map((d) => realpath(d)));
      if (!realDirs.some((d) => isInside(d, real))) return notAllowed();
      if (!(await stat(real)).isFile()) return bad(reply, 400, `not a file: ${lexical}`);

      const version = await fromRedis(() => redis.get(keys.modelVersion(camera)));
      if (!version) return bad(reply, 409, `camera "${camera}" has no model yet: it is still learning (or was never trained)`);

      const reviewId = newReviewId();
      const data: ReviewJob = { reviewId, file: real, cameraId: camera, requestedAt: new Date().toISOString(), requestedBy: request.role ?? 'unknown' };
      await fromRedis(() => queue.add('review', data, { jobId: reviewId, attempts: 1, removeOnComplete: KEEP_FINISHED, removeOnFail: KEEP_FINISHED }));
      return reply
        .code(202)
        .header('location', `/v1/reviews/${reviewId}`)
        .send({ id: reviewId, state: 'queued' as const, camera, file: real, modelVersion: version, url: `/v1/reviews/${reviewId}` });
    },
  );

  app.get('/v1/reviews', { schema: { summary: 'Reviews, newest first', response: { 200: reviewListSchema, ...failures } }, onRequest: auth.requireToken }, async () => {
    // One list per state, so each job's state is known before its fields are read (see summarise).
    const lists = await fromRedis(() => Promise.all(LISTED.map((type) => queue.getJobs([type], 0, LIST_LIMIT - 1))));
    const byId = new Map<string, ReviewSummary>();
    // Later lists are later states: a job seen in two lists while it moved keeps the later one.
    lists.forEach((jobs, k) => {
      for (const j of jobs as (ReviewBullJob | undefined)[]) if (j?.data?.reviewId) byId.set(j.data.reviewId, summarise(j, stateOf(LISTED[k]!)!));
    });
    const reviews = [...byId.values()].sort((a, b) => b.requestedAt.localeCompare(a.requestedAt) || b.id.localeCompare(a.id));
    return { reviews };
  });

  const oneSchema = { summary: 'One review, with its report once completed', params: reviewId, response: { 200: reviewDetailSchema, ...failures } };
  app.get('/v1/reviews/:id', { schema: oneSchema, onRequest: auth.requireToken }, async (request, reply) => {
    const { id } = request.params;
    // The state first, then the job (see summarise).
    const state = stateOf(await fromRedis(() => queue.getJobState(id)));
    const job = (await fromRedis(() => queue.getJob(id))) as ReviewBullJob | undefined;
    const reportFile = join(reviewDir(config.dataDir, id), 'report.json');
    const report = existsSync(reportFile) ? (JSON.parse(await readFile(reportFile, 'utf8')) as Record<string, unknown>) : undefined;
    if (!job) {
      // The job record was trimmed from Redis; the report on disk still answers.
      if (!report) return bad(reply, 404, `no review ${id}`);
      return { id, state: 'completed' as const, reportUrl: `/v1/reviews/${id}/report.html`, report };
    }
    if (!state) return bad(reply, 404, `no review ${id}`);
    const summary = summarise(job, state);
    return { ...summary, ...(summary.state === 'completed' && report ? { report } : {}) };
  });

  const html = { description: 'The report page (self-contained)', content: { 'text/html': { schema: z.string() } } };
  app.get(
    '/v1/reviews/:id/report.html',
    { schema: { summary: "A review's report page", params: reviewId, response: { 200: html, ...failures } }, onRequest: auth.requireToken },
    async (request, reply) => {
      const { id } = request.params;
      const file = join(reviewDir(config.dataDir, id), 'report.html');
      if (!existsSync(file)) return bad(reply, 404, `review ${id} has no report (yet)`);
      // Bytes, sent as they are (no serialiser runs on a Buffer).
      return (reply as FastifyReply)
        .type('text/html; charset=utf-8')
        .header('content-security-policy', REPORT_CSP)
        .send(await readFile(file));
    },
  );

  const thumbParams = reviewId.extend({ name: z.string().regex(THUMB, 'thumbnail names are <n>.jpg') });
  const jpeg = { description: 'JPEG', content: { 'image/jpeg': { schema: z.string().meta({ format: 'binary' }) } } };
  app.get(
    '/v1/reviews/:id/thumbs/:name',
    { schema: { summary: "A thumbnail of a review's alert", params: thumbParams, response: { 200: jpeg, ...failures } }, onRequest: auth.requireToken },
    async (request, reply) => {
      const { id, name } = request.params;
      const file = join(reviewDir(config.dataDir, id), 'thumbs', name);
      if (!existsSync(file)) return bad(reply, 404, `review ${id} has no thumbnail ${name}`);
      return (reply as FastifyReply)
        .type('image/jpeg')
        .header('cache-control', 'private, max-age=86400')
        .send(await readFile(file));
    },
  );
}
