/** Shared data shapes that flow through the pipeline: video → anomaly → regions → alert events (those a client sees are in wire.ts). */
import { alertKindSchema, type AlertKind, type FrameSize, type Region } from './wire.js';

export type { Alert, AlertEvent, AlertEventKind, AlertKind, AlertState, FrameSize, Region, Role, ScorePoint } from './wire.js';
export const ALERT_KINDS: readonly AlertKind[] = alertKindSchema.options;

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
  /** Over the threshold only by the temporal stage's hold (hysteresis after a nearby crossing): it keeps an open alert going, never opens one. */
  held?: boolean;
}
