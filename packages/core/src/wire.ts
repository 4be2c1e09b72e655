/**
 * The wire contract: every shape that crosses a process boundary to a client — alerts and their events
 * (WebSocket, webhooks, history), camera status, score timelines, reviews, health, and the WebSocket
 * messages — as zod schemas. The gateway validates requests and serialises responses with them and
 * generates its OpenAPI document from them; the dashboard and the client import the inferred types.
 * Schemas with an `id` become named components of the OpenAPI document.
 */
import { z } from 'zod';

const isoTime = z.iso.datetime({ offset: true }).describe('ISO-8601 time');
const scores = z.record(z.string(), z.number()).describe("Each ensemble member's normalised score (≥ 1: that member fired on its own)");

export const roleSchema = z
  .enum(['viewer', 'operator', 'admin'])
  .meta({ id: 'Role', description: 'viewer reads; operator also acknowledges alerts, gives feedback and queues reviews; admin also configures' });

export const errorSchema = z.object({ error: z.string().describe('What is wrong, in one line') }).meta({ id: 'Error' });

export const frameSizeSchema = z.object({ width: z.number().int(), height: z.number().int() }).meta({ id: 'FrameSize', description: 'The analysed frame, pixels' });

export const regionSchema = z
  .object({ x: z.number(), y: z.number(), width: z.number(), height: z.number(), score: z.number() })
  .meta({ id: 'Region', description: 'An axis-aligned box in 0–1 of the analysed frame, with its peak score (1 = threshold)' });

export const alertStateSchema = z.enum(['open', 'closed']);
export const alertEventKindSchema = z.enum(['open', 'update', 'close']);
export const alertKindSchema = z.enum(['anomaly', 'camera-offline', 'camera-tampered']).meta({
  id: 'AlertKind',
  description:
    'What the alert is about: an anomaly in the scene; the camera delivering no frames for its offlineSeconds (closed when frames return); or its whole view changed for alerts.tamperSeconds (covered, turned, defocused; closed when it is back).',
});

export const alertSchema = z
  .object({
    id: z.string(),
    cameraId: z.string(),
    kind: alertKindSchema.optional().describe('Absent on anomaly alerts'),
    reason: z
      .string()
      .optional()
      .describe('camera-offline: as its source said; camera-tampered: how long the view has been changed; an anomaly alert closed because no frame came at all: that it was'),
    state: alertStateSchema,
    startedAt: isoTime,
    updatedAt: isoTime,
    endedAt: isoTime.optional().describe('On close'),
    score: z.number().describe('1 = the camera’s calibrated threshold'),
    frame: frameSizeSchema,
    regions: z.array(regionSchema),
    members: scores,
    modelVersion: z.string(),
    snapshotUrl: z.string(),
  })
  .meta({ id: 'Alert', description: 'An alert as live clients and webhooks get it' });

export const alertEventSchema = z
  .object({
    type: z.literal('alert'),
    event: alertEventKindSchema,
    eventId: z.string().describe('Redis Stream entry id; pass it back as `since` to replay'),
    alert: alertSchema,
  })
  .meta({ id: 'AlertEvent', description: 'What /v1/live pushes and webhooks POST' });

export const verdictSchema = z.enum(['false-alarm', 'confirmed']);

export const storedAlertSchema = z
  .object({
    id: z.string(),
    cameraId: z.string(),
    kind: alertKindSchema,
    reason: z.string().nullable(),
    state: alertStateSchema,
    startedAt: isoTime,
    updatedAt: isoTime,
    endedAt: isoTime.nullable(),
    score: z.number().describe('Score of the latest event'),
    peakScore: z.number(),
    frame: frameSizeSchema,
    regions: z.array(regionSchema),
    members: scores,
    modelVersion: z.string(),
    snapshotUrl: z.string(),
    heatmapUrl: z.string(),
    ack: z.object({ at: isoTime, role: roleSchema, tokenId: z.string().nullable().describe("First 16 hex digits of the token's SHA-256"), note: z.string().nullable() }).nullable(),
    feedback: z.object({ verdict: verdictSchema, at: isoTime, role: roleSchema, note: z.string().nullable() }).nullable(),
  })
  .meta({ id: 'StoredAlert', description: 'An alert from the history: its latest state plus acknowledgement and feedback' });

export const storedEventSchema = z
  .object({ eventId: z.string().describe('Redis Stream entry id, as in /v1/live'), kind: alertEventKindSchema, at: isoTime, score: z.number(), regions: z.array(regionSchema), members: scores })
  .meta({ id: 'StoredEvent' });

export const alertPageSchema = z.object({
  alerts: z.array(storedAlertSchema).describe('Newest first'),
  nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last'),
});
export const alertDetailSchema = z.object({ alert: storedAlertSchema, events: z.array(storedEventSchema) });
export const ackResponseSchema = z.object({ alert: storedAlertSchema });
export const ackConflictSchema = z.object({ error: z.string(), alert: storedAlertSchema });
export const feedbackResponseSchema = z.object({
  alert: storedAlertSchema,
  frameAddedToNormal: z.boolean().describe("false-alarm: the alert's frame was added to the camera's normal footage for its next training"),
});

const polygon = z.array(z.tuple([z.number(), z.number()])).describe('[x, y] points in 0–1 of the analysed frame');

export const cameraStatusSchema = z
  .object({
    id: z.string(),
    name: z.string().nullable(),
    state: z.string().describe('connecting, learning, live, reconnecting, stopped; unknown before ingest reported'),
    reason: z.string().nullable().describe('While reconnecting: why (refused, not-found, unauthorized, not-video, timeout, stalled, ended, error)'),
    detail: z.string().nullable().describe("While reconnecting: the reason in ffmpeg's (or the watchdog's) words"),
    framesIn: z.number(),
    dropped: z.number(),
    scored: z.number(),
    scoreSeconds: z.number().describe("Seconds spent scoring this camera's frames, summed over workers"),
    lastFrameAt: isoTime.nullable(),
    learn: z
      .object({
        state: z.enum(['queued', 'fitting', 'retrying', 'failed', 'done']),
        attempts: z.number().describe('Tries made so far'),
        error: z.string().nullable().describe('Why the last try failed'),
      })
      .nullable()
      .describe("The camera's first fit, run by a worker from the frames ingest collected; null before one was queued. While it runs (and for good if it failed) the state is `learning`."),
    masks: z.array(z.object({ name: z.string().optional(), polygon })).describe('Areas never judged'),
    zones: z.array(z.object({ name: z.string(), polygon })).describe('Areas watched (when any: only these)'),
  })
  .meta({ id: 'CameraStatus' });
export const camerasResponseSchema = z.object({ cameras: z.array(cameraStatusSchema) });

/** One scored frame on a camera's score timeline (a capped Redis Stream workers append and the gateway reads). */
export const scorePointSchema = z
  .object({
    seq: z.number(),
    t: z.number().describe('Capture time, ms since the epoch'),
    score: z.number().describe('1 = the camera’s calibrated threshold'),
    regions: z.array(regionSchema),
    members: scores,
    threshold: z.literal(1),
    gated: z.literal(true).optional().describe('A whole-frame change: reported, never alerted on'),
  })
  .meta({ id: 'ScorePoint' });

export const scoreTimelineSchema = z
  .object({
    camera: z.string(),
    threshold: z.number().describe('1: scores are normalised to the camera’s threshold'),
    from: isoTime,
    to: isoTime,
    bucketSeconds: z.number(),
    points: z.array(z.tuple([z.number(), z.number(), z.number()])).describe('[time ms, highest score in the bucket, 1 when every frame of the bucket was gated]'),
  })
  .meta({ id: 'ScoreTimeline' });

export const reviewStateSchema = z.enum(['queued', 'running', 'completed', 'failed']);
export const reviewSummarySchema = z
  .object({
    id: z.string(),
    camera: z.string(),
    file: z.string(),
    state: reviewStateSchema,
    requestedAt: isoTime,
    requestedBy: z.string(),
    finishedAt: isoTime.optional(),
    progress: z.number().optional().describe('0–1 of the video, while running'),
    alerts: z.number().optional(),
    error: z.string().optional(),
    reportUrl: z.string().optional(),
  })
  .meta({ id: 'ReviewSummary' });
export const reviewListSchema = z.object({ reviews: z.array(reviewSummarySchema).describe('Newest first') });
const reviewReport = z.record(z.string(), z.unknown()).describe("The review's report.json (vigil review's report: alerts, score timeline, figures)");
export const reviewDetailSchema = z.union([
  reviewSummarySchema.extend({ report: reviewReport.optional().describe('Once completed') }),
  z.object({ id: z.string(), state: z.literal('completed'), reportUrl: z.string(), report: reviewReport }).describe('A review whose queue record was trimmed: its report on disk'),
]);
export const reviewQueuedSchema = z.object({ id: z.string(), state: z.literal('queued'), camera: z.string(), file: z.string(), modelVersion: z.string(), url: z.string() });

export const healthSchema = z.object({
  status: z.enum(['ok', 'degraded', 'unavailable']),
  redis: z.enum(['ok', 'down']),
  unscored: z.array(z.string()).optional().describe('Cameras whose frames go unscored (degraded only)'),
});

/** WebSocket `/v1/live`: what a client may send. */
export const liveClientMessageSchema = z
  .object({
    type: z.literal('subscribe'),
    cameras: z.array(z.string()).nullable().optional().describe('Only these cameras from now on; all when absent, null or empty'),
    since: z.string().nullable().optional().describe('Replay every event after this event id first (from the stream, then the history)'),
  })
  .meta({ id: 'LiveSubscribe' });

/** WebSocket `/v1/live`: what the gateway sends. */
export const liveServerMessageSchema = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('hello'), role: roleSchema, serverTime: isoTime }),
    alertEventSchema,
    z.object({ type: z.literal('heartbeat'), serverTime: isoTime }),
    z.object({ type: z.literal('subscribed'), cameras: z.array(z.string()).nullable(), since: z.string().nullable(), replayed: z.number() }),
    z.object({ type: z.literal('error'), message: z.string() }),
  ])
  .meta({ id: 'LiveMessage' });

/** WebSocket `/v1/preview`: what the dashboard sends. */
export const previewClientMessageSchema = z.object({ type: z.literal('watch'), cameras: z.array(z.string()) }).meta({ id: 'PreviewWatch' });

/** WebSocket `/v1/preview`: the gateway's text messages (frames come as binary messages: PreviewHeader then JPEG). */
export const previewServerMessageSchema = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('hello'), cameras: z.array(z.string()).describe('The cameras there are') }),
    z.object({ type: z.literal('watching'), cameras: z.array(z.string()).describe('The cameras now watched') }),
    scorePointSchema.omit({ threshold: true }).extend({ type: z.literal('score'), camera: z.string(), threshold: z.number() }),
    z.object({ type: z.literal('error'), message: z.string() }),
  ])
  .meta({ id: 'PreviewMessage' });

/** Header of a binary preview frame: `[uint32 BE header length][header JSON][JPEG]`. */
export const previewHeaderSchema = z
  .object({ camera: z.string(), seq: z.number(), capturedAt: z.number().describe('ms since the epoch'), width: z.number(), height: z.number() })
  .meta({ id: 'PreviewHeader' });

export type Role = z.infer<typeof roleSchema>;
export type Region = z.infer<typeof regionSchema>;
export type FrameSize = z.infer<typeof frameSizeSchema>;
export type AlertState = z.infer<typeof alertStateSchema>;
export type AlertEventKind = z.infer<typeof alertEventKindSchema>;
export type AlertKind = z.infer<typeof alertKindSchema>;
export type Alert = z.infer<typeof alertSchema>;
export type AlertEvent = z.infer<typeof alertEventSchema>;
export type Verdict = z.infer<typeof verdictSchema>;
export type StoredAlert = z.infer<typeof storedAlertSchema>;
export type StoredEvent = z.infer<typeof storedEventSchema>;
export type AlertPage = z.infer<typeof alertPageSchema>;
export type CameraStatus = z.infer<typeof cameraStatusSchema>;
export type ScorePoint = z.infer<typeof scorePointSchema>;
export type ScoreTimeline = z.infer<typeof scoreTimelineSchema>;
export type ReviewState = z.infer<typeof reviewStateSchema>;
export type ReviewSummary = z.infer<typeof reviewSummarySchema>;
export type Health = z.infer<typeof healthSchema>;
export type LiveClientMessage = z.infer<typeof liveClientMessageSchema>;
export type LiveServerMessage = z.infer<typeof liveServerMessageSchema>;
export type PreviewClientMessage = z.infer<typeof previewClientMessageSchema>;
export type PreviewServerMessage = z.infer<typeof previewServerMessageSchema>;
export type PreviewHeader = z.infer<typeof previewHeaderSchema>;
