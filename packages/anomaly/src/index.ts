export * from './frameInput.js';
export * from './detector.js';
export * from './registry.js';
export * from './calibration.js';
export * from './cameraModel.js';
export * from './patchGaussian/index.js';
export * from './synth/index.js';
export * from './modelStore.js';
