/**
 * Frames as the small nets see them: the covered part of the frame box-averaged 4 × 4, so each 8-px
 * cell of the ensemble's grid is 2 × 2 net pixels (320 × 176 → 80 × 44), RGB in [0, 1] minus an
 * optional per-channel mean, right and bottom edges replicated up to the net's size multiple.
 */
import { ModelError, type FrameSize } from '@vigil/core';
import { cellGrid, CELL_SIZE, type CellGrid } from '../features/patchFeatures.js';
import type { FrameInput } from '../frameInput.js';
import { evenlySpaced } from './train.js';

/** Frame pixels per net pixel, each way. */
export const NET_SCALE = 4;
const PER_CELL = CELL_SIZE / NET_SCALE;

export interface NetGrid {
  cells: CellGrid;
  /** Net pixels holding the frame (2 per cell each way)… */
  imageWidth: number;
  imageHeight: number;
  /** …and the net's input size, padded up to a multiple the net's strides need. */
  width: number;
  height: number;
}

export function netGrid(frame: FrameSize, multiple: number): NetGrid {
  const cells = cellGrid(frame);
  const imageWidth = cells.cols * PER_CELL,
    imageHeight = cells.rows * PER_CELL;
  return { cells, imageWidth, imageHeight, width: Math.ceil(imageWidth / multiple) * multiple, height: Math.ceil(imageHeight / multiple) * multiple };
}

export function frameImage(input: FrameInput, grid: NetGrid, mean: ArrayLike<number> = [0, 0, 0], out: Float32Array = new Float32Array(grid.width * grid.height * 3)): Float32Array {
  const { width: W } = input;
  const need = input.width * input.height * 3;
  if (input.data.length < need) throw new RangeError(`frame data has ${input.data.length} bytes, expected ${need}`);
  const rgb = input.data;
  const norm = 1 / (255 * NET_SCALE * NET_SCALE);
  for (let y = 0; y < grid.imageHeight; y++) {
    for (let x = 0; x < grid.imageWidth; x++) {
      let r = 0,
        g = 0,
        b = 0;
      for (let dy = 0; dy < NET_SCALE; dy++) {
        let i = ((y * NET_SCALE + dy) * W + x * NET_SCALE) * 3;
        for (let dx = 0; dx < NET_SCALE; dx++, i += 3) {
          r += rgb[i]!;
          g += rgb[i + 1]!;
          b += rgb[i + 2]!;
        }
      }
      const o = (y * grid.width + x) * 3;
      out[o] = r * norm - mean[0]!;
      out[o + 1] = g * norm - mean[1]!;
      out[o + 2] = b * norm - mean[2]!;
    }
  }
  for (let y = 0; y < grid.height; y++) {
    const sy = Math.min(y, grid.imageHeight - 1);
    for (let x = y < grid.imageHeight ? grid.imageWidth : 0; x < grid.width; x++) {
      const sx = Math.min(x, grid.imageWidth - 1);
      const o = (y * grid.width + x) * 3,
        s = (sy * grid.width + sx) * 3;
      out[o] = out[s]!;
      out[o + 1] = out[s + 1]!;
      out[o + 2] = out[s + 2]!;
    }
  }
  return out;
}

/** Per-net-pixel values (row stride `grid.width`) → the mean over each cell's 2 × 2 net pixels. */
export function pixelsToCells(values: ArrayLike<number>, grid: NetGrid, out = new Float32Array(grid.cells.cols * grid.cells.rows)): Float32Array {
  const { cols, rows } = grid.cells;
  const inv = 1 / (PER_CELL * PER_CELL);
  for (let cy = 0; cy < rows; cy++) {
    for (let cx = 0; cx < cols; cx++) {
      let s = 0;
      for (let dy = 0; dy < PER_CELL; dy++) for (let dx = 0; dx < PER_CELL; dx++) s += values[(cy * PER_CELL + dy) * grid.width + cx * PER_CELL + dx]!;
      out[cy * cols + cx] = s * inv;
    }
  }
  return out;
}

/** Per-channel mean of net images (image part only), for centring. */
export function channelMean(images: readonly Float32Array[], grid: NetGrid): Float32Array {
  const sum = new Float64Array(3);
  for (const img of images) {
    for (let y = 0; y < grid.imageHeight; y++) {
      for (let x = 0; x < grid.imageWidth; x++) for (let c = 0; c < 3; c++) sum[c]! += img[(y * grid.width + x) * 3 + c]!;
    }
  }
  const n = images.length * grid.imageWidth * grid.imageHeight;
  return Float32Array.from(sum, (s) => s / n);
}

/** Fewest normal frames a learned member trains on. */
export const MIN_TRAINING_FRAMES = 10;

export interface TrainingImages {
  /** Indices of the frames trained on: up to `maxFrames`, evenly spaced. */
  chosen: number[];
  /** Per-channel mean the images were centred by (kept with the model: inputs are centred alike). */
  mean: Float32Array;
  /** The chosen frames as net images (channels last), centred. */
  images: Float32Array[];
}

/** What every learned member trains on: evenly spaced normal frames as net images, centred by their channel mean. */
export function centredTrainingImages(member: string, frames: readonly FrameInput[], grid: NetGrid, maxFrames: number): TrainingImages {
  if (frames.length < MIN_TRAINING_FRAMES) throw new ModelError(`${member} needs at least ${MIN_TRAINING_FRAMES} training frames, got ${frames.length}`);
  const chosen = evenlySpaced(frames.length, maxFrames);
  const images = chosen.map((i) => frameImage(frames[i]!, grid));
  const mean = channelMean(images, grid);
  for (const img of images) for (let i = 0; i < img.length; i++) img[i]! -= mean[i % 3]!;
  return { chosen, mean, images };
}
