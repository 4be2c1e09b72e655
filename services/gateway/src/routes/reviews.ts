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
import type { Redis } from 'ioredis';
import { redisKeys, reviewDir, type Config } from '@vigil/core';
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

export type ReviewState = 'queued' | 'running' | 'completed' | 'failed';

export interface ReviewSummary {
  id: string;
  camera: string;
  file: string;
  state: ReviewState;
  requestedAt: string;
  requestedBy: string;
  finishedAt?: string;
  /** 0–1 of the video, while running. */
  progress?: number;
  alerts?: number;
  error?: string;
  reportUrl?: string;
}

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

export function registerReviewRoutes(app: FastifyInstance, deps: ReviewRoutesDeps): void {
  const { auth, config, redis } = deps;
  const keys = redisKeys(config.namespace);
  const queue = new Queue<ReviewJob, ReviewJobResult>(reviewQueueName(config.namespace), { connection: redis });
  app.addHook('onClose', async () => {
    await queue.close();
  });
  const dirs = deps.reviewDirs?.map((d) => resolve(d)) ?? allowedReviewDirs(config);
  const cameras = new Set(config.cameras.map((c) => c.id));
  const bad = (reply: FastifyReply, code: number, error: string) => reply.code(code).send({ error });

  app.post<{ Body: unknown }>('/v1/reviews', { onRequest: auth.requireToken, preHandler: auth.requireRole('queue a review', 'operator', 'admin') }, async (request, reply) => {
    if (!/^application\/json\s*(;|$)/i.test(request.headers['content-type'] ?? '')) return bad(reply, 415, 'content-type must be application/json');
    const body = request.body;
    if (!body || typeof body !== 'object' || Array.isArray(body)) return bad(reply, 400, 'body must be a JSON object {"file": "<path on the server>", "camera": "<camera id>"}');
    const { file, camera, ...rest } = body as Record<string, unknown>;
    const unknown = Object.keys(rest);
    if (unknown.length) return bad(reply, 400, `unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}; expected file and camera`);
    if (typeof camera !== 'string' || camera === '') return bad(reply, 400, 'camera must be a camera id string');
    if (!cameras.has(camera)) return bad(reply, 400, `unknown camera "${camera.slice(0, 64)}"`);
    if (typeof file !== 'string' || file === '') return bad(reply, 400, 'file must be a path string');
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
      .send({ id: reviewId, state: 'queued', camera, file: real, modelVersion: version, url: `/v1/reviews/${reviewId}` });
  });

  app.get('/v1/reviews', { onRequest: auth.requireToken }, async () => {
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

  app.get<{ Params: { id: string } }>('/v1/reviews/:id', { onRequest: auth.requireToken }, async (request, reply) => {
    const { id } = request.params;
    if (!REVIEW_ID.test(id)) return bad(reply, 400, 'malformed review id');
    // The state first, then the job (see summarise).
    const state = stateOf(await fromRedis(() => queue.getJobState(id)));
    const job = (await fromRedis(() => queue.getJob(id))) as ReviewBullJob | undefined;
    const reportFile = join(reviewDir(config.dataDir, id), 'report.json');
    const report = existsSync(reportFile) ? (JSON.parse(await readFile(reportFile, 'utf8')) as unknown) : undefined;
    if (!job) {
      // The job record was trimmed from Redis; the report on disk still answers.
      if (!report) return bad(reply, 404, `no review ${id}`);
      return { id, state: 'completed', reportUrl: `/v1/reviews/${id}/report.html`, report };
    }
    if (!state) return bad(reply, 404, `no review ${id}`);
    const summary = summarise(job, state);
    return { ...summary, ...(summary.state === 'completed' && report ? { report } : {}) };
  });

  app.get<{ Params: { id: string } }>('/v1/reviews/:id/report.html', { onRequest: auth.requireToken }, async (request, reply) => {
    const { id } = request.params;
    if (!REVIEW_ID.test(id)) return bad(reply, 400, 'malformed review id');
    const file = join(reviewDir(config.dataDir, id), 'report.html');
    if (!existsSync(file)) return bad(reply, 404, `review ${id} has no report (yet)`);
    return reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', REPORT_CSP)
      .send(await readFile(file));
  });

  app.get<{ Params: { id: string; name: string } }>('/v1/reviews/:id/thumbs/:name', { onRequest: auth.requireToken }, async (request, reply) => {
    const { id, name } = request.params;
    if (!REVIEW_ID.test(id)) return bad(reply, 400, 'malformed review id');
    if (!THUMB.test(name)) return bad(reply, 400, 'thumbnail names are <n>.jpg');
    const file = join(reviewDir(config.dataDir, id), 'thumbs', name);
    if (!existsSync(file)) return bad(reply, 404, `review ${id} has no thumbnail ${name}`);
    return reply
      .type('image/jpeg')
      .header('cache-control', 'private, max-age=86400')
      .send(await readFile(file));
  });
}
