export * from './ingestService.js';
export * from './framePublisher.js';
export { learnJobId } from './normalLearner.js';
export { CameraLeases } from './cameraLeases.js';
