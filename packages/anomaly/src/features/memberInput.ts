/** What the backbone members share: their input-size params, checked, a feature extractor for a frame size, and their base class. */
import { z } from 'zod';
import type { FrameSize } from '@vigil/core';
import { Member } from '../member.js';
import { defaultBackboneInput, loadBackbone, loadBackboneSync, type Backbone, type BackboneOptions } from './backbone.js';
import { CellFeatureExtractor } from './patchFeatures.js';

export interface BackboneInputParams {
  /** Backbone input size; 0 = the frame's own size rounded to multiples of 16 (stride-8 features then land one per cell). */
  inputWidth: number;
  inputHeight: number;
}

export function backboneInput(params: BackboneInputParams, frame: FrameSize): BackboneOptions {
  const auto = defaultBackboneInput(frame.width, frame.height);
  return { inputWidth: params.inputWidth || auto.inputWidth, inputHeight: params.inputHeight || auto.inputHeight };
}

export async function cellExtractorFor(params: BackboneInputParams, frame: FrameSize): Promise<CellFeatureExtractor> {
  return new CellFeatureExtractor(await loadBackbone(backboneInput(params, frame)), frame);
}

/** For `restore`, which is synchronous. */
export function cellExtractorForSync(params: BackboneInputParams, frame: FrameSize): CellFeatureExtractor {
  return new CellFeatureExtractor(loadBackboneSync(backboneInput(params, frame)), frame);
}

/** 0 (the frame's own size) or a multiple of 16 up to 2048. */
const inputSize = z.union([z.literal(0), z.number().int().min(16).max(2048).multipleOf(16)]);
export const backboneInputParams = { inputWidth: inputSize, inputHeight: inputSize };

/** A member that scores the backbone's features of a frame: the extractor gives its grid and its backbone (the worker batches frames through it). */
export abstract class BackboneMember<P extends object> extends Member<P> {
  readonly covered: FrameSize;

  constructor(
    params: P,
    frame: FrameSize,
    protected readonly extractor: CellFeatureExtractor,
  ) {
    super(params, frame);
    this.covered = extractor.grid.covered;
  }

  get backbone(): Backbone {
    return this.extractor.backbone;
  }
}
