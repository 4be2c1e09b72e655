/** What a review finds in a recorded video: the shape of report.json (times are seconds of the video). */
import type { FrameSize, Region } from '@vigil/core';

export interface ReviewAlert {
  /** 1-based, in order of start; names the thumbnail `thumbs/<n>.jpg`. */
  n: number;
  id: string;
  /** First frame of the confirmed episode (the live alert's `startedAt`). */
  start: number;
  /** Last frame over threshold. */
  end: number;
  /** When the lifecycle confirmed it (the live `open` event would have been sent then). */
  confirmedAt: number;
  peakScore: number;
  /** Video time of the peak frame the regions, members and thumbnail come from. */
  peakAt: number;
  regions: Region[];
  members: Record<string, number>;
  /** Relative to the report's folder. */
  thumbnail: string;
}

export interface TimelinePoint {
  /** Seconds of video. */
  t: number;
  score: number;
}

export interface ReviewReport {
  file: string;
  cameraId: string;
  modelVersion: string;
  /** Compute backend of this process (the tfjs members run on it). */
  backend: string;
  /** Analysed frames per second and analysed frame size. */
  fps: number;
  frame: FrameSize;
  /** The score the model calls anomalous (scores are normalised to it). */
  threshold: 1;
  alerts: ReviewAlert[];
  timeline: TimelinePoint[];
  durationSeconds: number;
  processingSeconds: number;
  framesAnalysed: number;
  createdAt: string;
  /** What the reader must know about the input: a file that decodes to less than its header announces (truncated or damaged). */
  warnings?: string[];
}

/** A report held in memory: report.json's content plus the thumbnails' JPEG bytes (alert n → thumbnails[n-1]). */
export interface ReviewResult {
  report: ReviewReport;
  thumbnails: Uint8Array[];
}
