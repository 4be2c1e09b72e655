/** A network's parameters as a member's saved state: one named Float32 array per parameter, shapes checked on restore. */
import { ModelError } from '@vigil/core';
import { paramShapes, type LayerSpec } from './layers.js';

export function exportWeights(prefix: string, params: readonly Float32Array[]): Record<string, Float32Array> {
  return Object.fromEntries(params.map((p, i) => [`${prefix}${i}`, p]));
}

export function importWeights(member: string, prefix: string, layers: readonly LayerSpec[], arrays: Record<string, Float32Array>): Float32Array[] {
  return paramShapes(layers).map((shape, i) => {
    const a = arrays[`${prefix}${i}`];
    const n = shape.reduce((x, y) => x * y, 1);
    if (!a) throw new ModelError(`${member} state lacks weight array ${prefix}${i}`);
    if (a.length !== n) throw new ModelError(`${member} weight array ${prefix}${i} has ${a.length} values, its layer needs ${n} (${shape.join('×')})`);
    return a;
  });
}
