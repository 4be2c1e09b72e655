/** Shared data shapes that flow through the pipeline: video → anomaly → regions → alert events. */

/** One decoded, scaled video frame, packed RGB (3 bytes a pixel, row-major). */
export interface Frame {
  cameraId: string;
  /** Monotonic per camera pipeline run; gaps mean frames were dropped. */
  seq: number;
  /** Wall-clock time (ms since epoch) at which ingest received the frame. */
  capturedAt: number;
  width: number;
  height: number;
  data: Uint8Array;
}

/** A coarse anomaly map: one score per patch, row-major, `cols × rows`. */
export interface ScoreMap {
  cols: number;
  rows: number;
  data: Float32Array;
}

/** An axis-aligned box, normalised to 0–1 of the analysed frame, with its peak score. */
export interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
  score: number;
}

export interface FrameSize {
  width: number;
  height: number;
}

/** The scoring of one frame by a camera's model. Scores are normalised so that 1 is the calibrated threshold. */
export interface FrameScore {
  cameraId: string;
  seq: number;
  capturedAt: number;
  score: number;
  frame: FrameSize;
  regions: Region[];
  members: Record<string, number>;
  modelVersion: string;
  /** A whole-frame change (shake, exposure or IR switch): reported, but it never opens or extends an alert. */
  gated?: boolean;
  /** A member was still warming up (motion or background history too short after a start or a seek): it never opens or extends an alert either. */
  warming?: boolean;
}

export type AlertState = 'open' | 'closed';
export type AlertEventKind = 'open' | 'update' | 'close';
/** What an alert is about: something anomalous in the scene, the camera gone dark, or its whole view changed (covered, turned, defocused). */
export type AlertKind = 'anomaly' | 'camera-offline' | 'camera-tampered';
export const ALERT_KINDS: readonly AlertKind[] = ['anomaly', 'camera-offline', 'camera-tampered'];

export interface Alert {
  id: string;
  cameraId: string;
  /** Absent on anomaly alerts (and on every alert written before camera health alerts existed). */
  kind?: AlertKind;
  /**
   * Why: camera-offline — as its source said (refused, stalled, decoder exit…); camera-tampered — how long
   * the view has been changed; an anomaly alert closed because no frame came at all — that it was.
   */
  reason?: string;
  state: AlertState;
  startedAt: string;
  updatedAt: string;
  endedAt?: string;
  score: number;
  frame: FrameSize;
  regions: Region[];
  members: Record<string, number>;
  modelVersion: string;
  snapshotUrl: string;
}

/** What the gateway pushes on `/v1/live` and POSTs to webhooks. */
export interface AlertEvent {
  type: 'alert';
  event: AlertEventKind;
  /** Redis Stream entry id; clients pass it back as `since` to replay. */
  eventId: string;
  alert: Alert;
}

export type Role = 'viewer' | 'operator' | 'admin';

/** One scored frame on a camera's score timeline (a capped Redis Stream workers append and the gateway reads). */
export interface ScorePoint {
  seq: number;
  /** Capture time, ms since the epoch. */
  t: number;
  /** 1 is the camera's calibrated threshold. */
  score: number;
  regions: Region[];
  members: Record<string, number>;
  threshold: 1;
  gated?: true;
}
