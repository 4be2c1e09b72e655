/** Shapes the gateway sends; the alert and region types are the pipeline's own (type-only imports: nothing of @vigil/core is bundled). */
import type { Alert, AlertEvent, Region, Role } from '@vigil/core';

export type { Alert, AlertEvent, Region, Role };

export type Verdict = 'false-alarm' | 'confirmed';

/** An alert as the history API returns it (GET /v1/alerts…); live events carry the Alert part only. */
export interface StoredAlert extends Omit<Alert, 'endedAt'> {
  endedAt?: string | null;
  peakScore?: number;
  heatmapUrl?: string;
  ack?: { at: string; role: Role; tokenId: string | null; note: string | null } | null;
  feedback?: { verdict: Verdict; at: string; role: Role; note: string | null } | null;
}

export interface CameraInfo {
  id: string;
  name: string | null;
  state: string;
  /** While reconnecting: why (refused, not-found, not-video…) and the source's own words (absent from older gateways). */
  reason?: string | null;
  detail?: string | null;
  framesIn: number;
  dropped: number;
  scored: number;
  lastFrameAt: string | null;
  /** The camera's first fit on the workers (absent from older gateways). */
  learn?: { state: string; attempts: number; error: string | null } | null;
  /** Polygons of [x, y] in 0–1 of the frame (absent from older gateways). */
  masks?: { name?: string; polygon: [number, number][] }[];
  zones?: { name: string; polygon: [number, number][] }[];
}

/** One scored frame of a camera, pushed on /v1/preview (services/worker/src/scoreTimeline.ts). */
export interface ScoreMessage {
  type: 'score';
  camera: string;
  seq: number;
  t: number;
  score: number;
  regions: Region[];
  members: Record<string, number>;
  threshold: number;
  gated?: boolean;
}

/** Header of a binary preview frame (services/ingest/src/previewPublisher.ts). */
export interface PreviewHeader {
  camera: string;
  seq: number;
  capturedAt: number;
  width: number;
  height: number;
}

export interface ScoreTimeline {
  camera: string;
  threshold: number;
  from: string;
  to: string;
  bucketSeconds: number;
  points: [number, number, number][];
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
  progress?: number;
  alerts?: number;
  error?: string;
  reportUrl?: string;
}
