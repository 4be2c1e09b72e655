/** What ingest puts on the frame queue: the frame bytes stay in Redis under `key` (with a TTL). */
export interface FrameJob {
  cameraId: string;
  seq: number;
  capturedAt: number;
  width: number;
  height: number;
  key: string;
  /**
   * How the bytes under `key` (and `prevKey`) are laid out: packed rgb24 when absent, or YUV 4:2:0 (@vigil/video's
   * packYuv420: half the bytes, luma and 2 × 2 colour kept up to rounding), which ingest writes.
   */
  encoding?: 'yuv420';
  /** Key of the previous analysed frame of this camera, for motion features; may have expired. */
  prevKey?: string;
  /** Key of the camera's background pair as it stood before this frame (packed by @vigil/anomaly's packBackground); same TTL. */
  bgKey?: string;
}

/** Camera states as shown to operators. */
export type CameraState = 'connecting' | 'learning' | 'live' | 'reconnecting' | 'stopped';
