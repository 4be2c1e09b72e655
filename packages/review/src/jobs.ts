/**
 * Reviews queued on a server (`POST /v1/reviews` → worker): the queue name, the job's data and ids.
 * Kept apart from the review code itself so the gateway can queue a review without loading models.
 */
import { randomBytes } from 'node:crypto';

export function reviewQueueName(ns: string): string {
  return `${ns}-reviews`;
}

export interface ReviewJob {
  reviewId: string;
  /** Absolute path of the recording on the server. */
  file: string;
  cameraId: string;
  /** ISO-8601. */
  requestedAt: string;
  /** Role of the token that asked. */
  requestedBy: string;
}

/** What a finished review job returns (the report itself is on disk). */
export interface ReviewJobResult {
  alerts: number;
  durationSeconds: number;
  processingSeconds: number;
  modelVersion: string;
}

/** Progress a running review reports, 0–1 of the video, via BullMQ's job progress. */
export interface ReviewJobProgress {
  fraction: number;
  videoSeconds: number;
}

export const REVIEW_ID = /^rev-[a-z0-9]{9}-[a-f0-9]{8}$/;

/** Sortable by creation time, safe as a folder name and a BullMQ job id. */
export function newReviewId(nowMs: number = Date.now()): string {
  return `rev-${Math.floor(nowMs).toString(36).padStart(9, '0')}-${randomBytes(4).toString('hex')}`;
}
