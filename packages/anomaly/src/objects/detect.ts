/**
 * Objects in a frame from the COCO-trained CenterNet of the backbone (its in-graph decoded
 * `tower_0/detections`: 100 boxes as x1, y1, x2, y2 in input pixels, score, COCO class index). Its
 * detection head has shapes fixed for a 512 × 512 input, so frames are resized to that (~200 ms a frame
 * on wasm). Detections are kept by frame content, so a frame scored once and then met again as the
 * next frame's predecessor is not detected twice.
 */
import { createHash } from 'node:crypto';
import { BoundedMap } from '@vigil/core';
import { tf } from '../backend/tfBackend.js';
import { centerNetGraph } from '../features/backbone.js';

export const DETECT_SIZE = 512;

export interface DetectedObject {
  /** COCO class index (0 person, 1 bicycle, 2 car, 3 motorcycle, 5 bus, 7 truck, …). */
  cls: number;
  score: number;
  /** Box in frame pixels. */
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

const CACHED = 256;
const cache = new BoundedMap<string, DetectedObject[]>(CACHED);

/** Forgets every kept detection (benchmarks time each backend from a cold cache). */
export function clearObjectDetections(): void {
  cache.clear();
}

/** Every detection of the frame (any score); callers filter by score. */
export function detectObjects(data: Uint8Array, width: number, height: number): DetectedObject[] {
  const key = `${width}x${height}:${createHash('sha1').update(data).digest('hex')}`;
  const hit = cache.get(key);
  if (hit) return hit;
  // Not in tf.tidy: the executor creates tensors of the detection head on the first run and keeps them.
  const x = tf.tidy(() => tf.image.resizeBilinear(tf.tensor4d(Float32Array.from(data), [1, height, width, 3]), [DETECT_SIZE, DETECT_SIZE]));
  let raw: Float32Array;
  try {
    const out = centerNetGraph().execute(x, 'tower_0/detections') as tf.Tensor;
    try {
      raw = out.dataSync() as Float32Array;
    } finally {
      out.dispose();
    }
  } finally {
    x.dispose();
  }
  const sx = width / DETECT_SIZE,
    sy = height / DETECT_SIZE;
  const objects: DetectedObject[] = [];
  for (let i = 0; i + 5 < raw.length; i += 6) {
    objects.push({ x1: raw[i]! * sx, y1: raw[i + 1]! * sy, x2: raw[i + 2]! * sx, y2: raw[i + 3]! * sy, score: raw[i + 4]!, cls: Math.round(raw[i + 5]!) });
  }
  cache.set(key, objects);
  return objects;
}
