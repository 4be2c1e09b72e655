/** Names of every Redis key, queue and stream, in one place so services agree on them. */
export function redisKeys(ns: string) {
  return {
    /** BullMQ queue name of analysed frames. */
    frameQueue: `${ns}-frames`,
    /** BullMQ queue of `learn` jobs: a camera's learning frames (under the data directory) to fit its first model from. */
    learnQueue: `${ns}-learn`,
    frame: (cameraId: string, seq: number) => `${ns}:frame:${cameraId}:${seq}`,
    /** Frames of a camera queued or being scored (bounded by ingest). */
    inFlight: (cameraId: string) => `${ns}:inflight:${cameraId}`,
    alertState: (cameraId: string) => `${ns}:alert:${cameraId}`,
    /** String: the camera's open camera-offline alert (JSON), while one is open (ingest opens and closes it). */
    cameraOffline: (cameraId: string) => `${ns}:offline:${cameraId}`,
    /** Redis Stream of alert events; field `event` holds the JSON. */
    alertEvents: `${ns}:alerts`,
    /** Hash: state, framesIn, dropped, scored, lastFrameAt, scoreSecondsTotal…; learnState, learnError, learnAttempts (workers' fits). */
    cameraStatus: (cameraId: string) => `${ns}:camera:${cameraId}`,
    cameraIndex: `${ns}:cameras`,
    /** String with a TTL: the ingest process that reads the camera (its owner id), renewed while it lives. */
    cameraLease: (cameraId: string) => `${ns}:lease:${cameraId}`,
    /** String: the camera's current model version (a folder name under dataDir/models/<camera>/). */
    modelVersion: (cameraId: string) => `${ns}:model:${cameraId}`,
    /** Pub/sub channel of a camera's live preview (small JPEGs of analysed frames, sent only while a dashboard watches). */
    previewChannel: (cameraId: string) => `${ns}:preview:${cameraId}`,
    /** Capped Redis Stream of a camera's frame scores (about the last hour): live tile overlays and score timelines. */
    scoreTimeline: (cameraId: string) => `${ns}:scores:${cameraId}`,
    /** String with a TTL: while it exists, every frame of the camera gets the cascade's backbone tier (set by workers). */
    cascadeEscalated: (cameraId: string) => `${ns}:escalated:${cameraId}`,
    /** Hash: the camera's temporal evidence (`s`, packed by @vigil/anomaly's packEvidence) and its version `v` (compare-and-set by workers). */
    evidence: (cameraId: string) => `${ns}:evidence:${cameraId}`,
    /** A member's features of one frame (see @vigil/anomaly's FeatureMemory), kept as long as the frame's bytes. */
    frameFeatures: (cameraId: string, key: string, seq: number) => `${ns}:features:${cameraId}:${key}:${seq}`,
  };
}
export type RedisKeys = ReturnType<typeof redisKeys>;

/** The alert events stream is trimmed to about this many entries (`MAXLEN ~`); older ones live in the history. */
export const ALERT_STREAM_MAXLEN = 10_000;
