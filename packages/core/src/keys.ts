/** Names of every Redis key, queue and stream, in one place so services agree on them. */
export function redisKeys(ns: string) {
  return {
    frameQueue: `${ns}-frames`,
    frame: (cameraId: string, seq: number) => `${ns}:frame:${cameraId}:${seq}`,
    inFlight: (cameraId: string) => `${ns}:inflight:${cameraId}`,
    alertState: (cameraId: string) => `${ns}:alert:${cameraId}`,
    alertEvents: `${ns}:alerts`,
    cameraStatus: (cameraId: string) => `${ns}:camera:${cameraId}`,
    cameraIndex: `${ns}:cameras`,
    modelAnnounce: `${ns}:models`,
    learnLock: (cameraId: string) => `${ns}:learn:${cameraId}`,
  };
}
export type RedisKeys = ReturnType<typeof redisKeys>;
