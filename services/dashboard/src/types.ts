/**
 * The shapes the gateway sends, from the wire contract (@vigil/core's wire.ts: type-only imports, so
 * nothing of @vigil/core is bundled into the page).
 */
import type { Alert, AlertEvent, CameraStatus, PreviewHeader, PreviewServerMessage, Region, ReviewState, ReviewSummary, Role, ScoreTimeline, StoredAlert as HistoryAlert, Verdict } from '@vigil/core';

export type { Alert, AlertEvent, PreviewHeader, Region, ReviewState, ReviewSummary, Role, ScoreTimeline, Verdict };

/** A camera as GET /v1/cameras lists it. */
export type CameraInfo = CameraStatus;

/** An alert as the page holds it: from the history (GET /v1/alerts…) with all of it, or from a live event with the Alert part only. */
export interface StoredAlert extends Omit<Alert, 'endedAt'> {
  endedAt?: HistoryAlert['endedAt'];
  peakScore?: HistoryAlert['peakScore'];
  heatmapUrl?: HistoryAlert['heatmapUrl'];
  ack?: HistoryAlert['ack'];
  feedback?: HistoryAlert['feedback'];
}

/** One scored frame of a camera, pushed on /v1/preview. */
export type ScoreMessage = Extract<PreviewServerMessage, { type: 'score' }>;
