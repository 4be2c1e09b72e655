export * from './frameInput.js';
export * from './detector.js';
export * from './registry.js';
export * from './calibration.js';
export * from './cameraModel.js';
export * from './framePath.js';
export * from './patchGaussian/index.js';
export * from './synth/index.js';
export * from './modelStore.js';
export * from './learning/index.js';
export { fitCameraModelInThread, type ThreadFitOptions } from './fitThread.js';
export * from './backend/tfBackend.js';
export { MotionFlow, motionFlowKind, BlockFlow, defaultFlowParams, defaultMotionFlowParams, type FlowField, type FlowParams, type MotionFlowParams } from './motionFlow/index.js';
export {
  BackgroundPair,
  BackgroundPairDetector,
  backgroundPairKind,
  withBackgrounds,
  packBackground,
  unpackBackground,
  backgroundBytes,
  defaultBackgroundPairParams,
  type BackgroundPairOptions,
  type BackgroundPairParams,
} from './backgroundPair/index.js';
export * from './cascade/index.js';
export * from './eval/index.js';
export {
  loadBackbone,
  loadBackboneSync,
  backboneLoadMs,
  backboneStats,
  defaultBackboneInput,
  BACKBONE_MODEL,
  BACKBONE_LAYERS,
  type Backbone,
  type BackboneFeatures,
  type BackboneOptions,
  type LayerDims,
} from './features/backbone.js';
export { CellFeatureExtractor, cellGrid, CELL_SIZE, type CellGrid } from './features/patchFeatures.js';
export { Padim, padimKind, defaultPadimOptions, type PadimOptions } from './padim/index.js';
export { PatchCore, patchCoreKind, defaultPatchCoreOptions, type PatchCoreOptions } from './patchCore/index.js';
export {
  ImageGaussian,
  ImageKnn,
  imageGaussianKind,
  imageKnnKind,
  defaultImageGaussianOptions,
  defaultImageKnnOptions,
  type ImageGaussianOptions,
  type ImageKnnOptions,
} from './imageDensity/index.js';
export { Autoencoder, autoencoderKind, defaultAutoencoderOptions, type AutoencoderOptions } from './autoencoder/index.js';
export { DeepSvdd, deepSvddKind, defaultDeepSvddOptions, type DeepSvddOptions } from './deepSvdd/index.js';
export { Rotation, rotationKind, defaultRotationOptions, type RotationOptions } from './rotation/index.js';
export { ObjectsDetector, objectsKind, clearObjectDetections, detectObjects, defaultObjectParams, type ObjectParams, type DetectedObject } from './objects/index.js';
export { FlowHistogram, flowHistogramKind, defaultFlowHistogramParams, FlowDescriptors, LocationBank, type FlowHistogramParams } from './flowHistogram/index.js';
export { OpticalFlow, defaultOpticalFlowParams, gaussianBlur, lumaOf, type DenseFlow, type OpticalFlowParams } from './features/opticalFlow.js';
export { SequenceMemory, type FeatureMemory, type MemoryUse } from './features/featureMemory.js';
export * from './temporal/evidence.js';
export * from './areas.js';
