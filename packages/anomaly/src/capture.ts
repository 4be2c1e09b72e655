/**
 * What the capture side (ingest) needs from this package, and nothing that loads a detector or
 * tfjs: the camera's running background pair, the learning frames it hands to the workers, and where
 * models live. Import it as `@vigil/anomaly/capture`.
 */
export { BackgroundPair, packBackground, backgroundBytes, type BackgroundPairOptions } from './backgroundPair/pair.js';
export type { BackgroundImages, FrameInput } from './frameInput.js';
export { areasOfCamera, type CameraAreas } from './areas.js';
export { cameraModelsDir, latestModelVersion } from './modelStore.js';
export { writeLearningFrames } from './learning/learningFrames.js';
export type { LearnJob } from './learning/learnJob.js';
