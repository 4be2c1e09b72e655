/** Detector kinds by name: a camera model's manifest names its members, and loading finds them here. */
import { ModelError } from '@vigil/core';
import type { DetectorKind } from './detector.js';
import { patchGaussianKind } from './patchGaussian/index.js';
import { padimKind } from './padim/index.js';
import { patchCoreKind } from './patchCore/index.js';
import { imageGaussianKind, imageKnnKind } from './imageDensity/index.js';
import { motionFlowKind } from './motionFlow/index.js';
import { backgroundPairKind } from './backgroundPair/index.js';
import { autoencoderKind } from './autoencoder/index.js';
import { deepSvddKind } from './deepSvdd/index.js';
import { rotationKind } from './rotation/index.js';
import { objectsKind } from './objects/index.js';
import { flowHistogramKind } from './flowHistogram/index.js';

const kinds = new Map<string, DetectorKind>();

export function registerDetector(kind: DetectorKind): void {
  kinds.set(kind.name, kind);
}

export function detectorKind(name: string): DetectorKind {
  const kind = kinds.get(name);
  if (!kind) throw new ModelError(`unknown detector "${name}" (known: ${[...kinds.keys()].join(', ')})`);
  return kind;
}

export function detectorNames(): string[] {
  return [...kinds.keys()];
}

/**
 * Members a camera model gets when none are asked for: motion patterns (flowHistogram: speed, direction,
 * where things move) and stopped objects (backgroundPair), both cheap enough for every frame on a CPU,
 * each alarming on its own (cameraModel.ts DEFAULT_COMBINE is 'max'). Chosen on UCSD Ped1 and on real
 * traffic footage with a real vehicle pasted stopped (docs/detectors.md).
 */
export const DEFAULT_MEMBERS = ['flowHistogram', 'backgroundPair'];

registerDetector(patchGaussianKind);
registerDetector(motionFlowKind);
registerDetector(backgroundPairKind);
registerDetector(padimKind);
registerDetector(patchCoreKind);
registerDetector(imageGaussianKind);
registerDetector(imageKnnKind);
registerDetector(autoencoderKind);
registerDetector(deepSvddKind);
registerDetector(rotationKind);
registerDetector(objectsKind);
registerDetector(flowHistogramKind);
