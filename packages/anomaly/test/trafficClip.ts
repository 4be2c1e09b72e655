/** Real footage as the live pipeline sees it for the traffic members: frames in order, each with its predecessor and background pair. */
import { withBackgrounds } from '../src/backgroundPair/index.js';
import { framesWithPrev, type FrameInput } from '../src/frameInput.js';
import { injectAnomaly, type AnomalySpec, type NormalisedBox } from '../src/synth/index.js';
import type { ClipSplit } from './detection.js';

export interface ClipFrame {
  t: number;
  input: FrameInput;
  /** Ground-truth box of the first spec present, if any. */
  box: NormalisedBox | null;
}

/**
 * The whole clip with `specs` drawn in and `edit` applied (a whole-frame change), then prev and the
 * background pair attached in order — as ingest would have produced them.
 */
export function renderClip(split: ClipSplit, specs: AnomalySpec[] = [], edit?: (data: Uint8Array, index: number) => Uint8Array): ClipFrame[] {
  const { width, height, fps } = split;
  const drawn = split.frames.map((f, i) => {
    let data: Uint8Array = new Uint8Array(f);
    let box: NormalisedBox | null = null;
    for (const spec of specs) box = injectAnomaly(data, width, height, i / fps, spec).box ?? box;
    if (edit) data = edit(data, i);
    return { data, box, t: i / fps };
  });
  const inputs = withBackgrounds(
    framesWithPrev(
      drawn.map((d) => d.data),
      width,
      height,
    ),
  );
  return inputs.map((input, i) => ({ input, box: drawn[i]!.box, t: drawn[i]!.t }));
}

/** Mean of a cell grid's values inside a normalised box (cells whose centre lies in it). */
export function cellsInBox(map: { cols: number; rows: number; data: Float32Array }, box: NormalisedBox): number[] {
  const out: number[] = [];
  for (let r = 0; r < map.rows; r++) {
    for (let c = 0; c < map.cols; c++) {
      const x = (c + 0.5) / map.cols,
        y = (r + 0.5) / map.rows;
      if (x >= box.x && x <= box.x + box.width && y >= box.y && y <= box.y + box.height) out.push(map.data[r * map.cols + c]!);
    }
  }
  return out;
}

export const report = (msg: string) => process.stdout.write(`  [figures] ${msg}\n`);
