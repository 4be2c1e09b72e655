/** What the backbone members share: their input-size params, checked, and a feature extractor for a frame size. */
import { ModelError, type FrameSize } from '@vigil/core';
import { defaultBackboneInput, loadBackbone, loadBackboneSync, type BackboneOptions } from './backbone.js';
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

/** Merges given params over defaults and checks every field with `valid`; one error naming the member and params. */
export function resolveParams<P extends object>(member: string, defaults: P, given: Record<string, unknown> | undefined, valid: (p: P) => boolean): P {
  const p = { ...defaults, ...(given ?? {}) } as P;
  const unknown = Object.keys(given ?? {}).filter((k) => !(k in defaults));
  if (unknown.length > 0) throw new ModelError(`unknown ${member} params: ${unknown.join(', ')}`);
  if (!valid(p)) throw new ModelError(`invalid ${member} params: ${JSON.stringify(given)}`);
  return p;
}

export function isInputSize(v: unknown): boolean {
  return v === 0 || (Number.isInteger(v) && (v as number) >= 16 && (v as number) % 16 === 0 && (v as number) <= 2048);
}

export function isPositiveInt(v: unknown): boolean {
  return Number.isInteger(v) && (v as number) > 0;
}
