/**
 * Backbone features resampled onto the ensemble's cell grid: one vector per 8 × 8-pixel cell of the
 * analysed frame (the grid patchGaussian's maps use, 40 × 22 at 320 × 176), so every pixel member's map
 * combines cell for cell. Each layer is sampled bilinearly at the cell's centre — the stride-8 layer
 * lands one-to-one when the backbone input is the frame's own size; the stride-16 layer is thereby
 * upsampled, as PaDiM upsamples its deeper layers — and the layers are concatenated, channels last.
 */
import type { FrameSize } from '@vigil/core';
import type { FrameInput } from '../frameInput.js';
import type { Backbone, BackboneFeatures } from './backbone.js';

export const CELL_SIZE = 8;

export interface CellGrid {
  cols: number;
  rows: number;
  /** Pixels covered from the top-left corner: cols × CELL_SIZE by rows × CELL_SIZE. */
  covered: FrameSize;
}

export function cellGrid(frame: FrameSize): CellGrid {
  const cols = Math.floor(frame.width / CELL_SIZE),
    rows = Math.floor(frame.height / CELL_SIZE);
  if (cols < 3 || rows < 3) throw new RangeError(`frame ${frame.width}x${frame.height} is too small for backbone features (needs 24x24)`);
  return { cols, rows, covered: { width: cols * CELL_SIZE, height: rows * CELL_SIZE } };
}

/** Bilinear taps of one layer at every cell centre: indices into the layer's map and their weights. */
interface LayerSampler {
  offset: number;
  channels: number;
  /** Per cell, 4 pixel indices (y·w + x) and 4 weights. */
  index: Int32Array;
  weight: Float32Array;
}

export class CellFeatureExtractor {
  readonly grid: CellGrid;
  /** Channels per cell: the layers' channels summed. */
  readonly dims: number;
  private readonly samplers: LayerSampler[];

  constructor(
    readonly backbone: Backbone,
    readonly frame: FrameSize,
  ) {
    this.grid = cellGrid(frame);
    let offset = 0;
    this.samplers = backbone.dims.map((d) => {
      const n = this.grid.cols * this.grid.rows;
      const index = new Int32Array(n * 4),
        weight = new Float32Array(n * 4);
      // Frame pixel → backbone-input pixel → feature-map coordinate (cell centres at (i + 0.5) · stride).
      const sx = backbone.inputWidth / frame.width / d.stride,
        sy = backbone.inputHeight / frame.height / d.stride;
      for (let cy = 0; cy < this.grid.rows; cy++) {
        const v = Math.min(d.height - 1, Math.max(0, (cy + 0.5) * CELL_SIZE * sy - 0.5));
        const y0 = Math.floor(v),
          y1 = Math.min(d.height - 1, y0 + 1),
          fy = v - y0;
        for (let cx = 0; cx < this.grid.cols; cx++) {
          const u = Math.min(d.width - 1, Math.max(0, (cx + 0.5) * CELL_SIZE * sx - 0.5));
          const x0 = Math.floor(u),
            x1 = Math.min(d.width - 1, x0 + 1),
            fx = u - x0;
          const k = (cy * this.grid.cols + cx) * 4;
          index.set([y0 * d.width + x0, y0 * d.width + x1, y1 * d.width + x0, y1 * d.width + x1], k);
          weight.set([(1 - fx) * (1 - fy), fx * (1 - fy), (1 - fx) * fy, fx * fy], k);
        }
      }
      const s = { offset, channels: d.channels, index, weight };
      offset += d.channels;
      return s;
    });
    this.dims = offset;
  }

  get cells(): number {
    return this.grid.cols * this.grid.rows;
  }

  /** One `cells × dims` array per frame; frames are run through the backbone as one batch. */
  extract(frames: readonly FrameInput[]): Float32Array[] {
    return this.resample(this.backbone.extract(frames));
  }

  resample(features: BackboneFeatures): Float32Array[] {
    const { cells, dims } = this;
    const out: Float32Array[] = [];
    for (let b = 0; b < features.batch; b++) {
      const cellFeatures = new Float32Array(cells * dims);
      this.samplers.forEach((s, l) => {
        const d = features.dims[l]!;
        const layer = features.layers[l]!;
        const base = b * d.width * d.height * s.channels;
        for (let c = 0; c < cells; c++) {
          const o = c * dims + s.offset;
          for (let t = 0; t < 4; t++) {
            const w = s.weight[c * 4 + t]!;
            if (w === 0) continue;
            const src = base + s.index[c * 4 + t]! * s.channels;
            for (let ch = 0; ch < s.channels; ch++) cellFeatures[o + ch]! += w * layer[src + ch]!;
          }
        }
      });
      out.push(cellFeatures);
    }
    return out;
  }
}

/** Runs `extract` over many frames in batches, so fitting never holds the backbone's activations for all at once. */
export function extractAll(extractor: CellFeatureExtractor, frames: readonly FrameInput[], batch = 8): Float32Array[] {
  const out: Float32Array[] = [];
  for (let i = 0; i < frames.length; i += batch) out.push(...extractor.extract(frames.slice(i, i + batch)));
  return out;
}
