/**
 * A camera's learning frames on disk: what ingest collected for its first fit, read back by the worker
 * that fits it (the data directory is shared by both). `frames.bin` holds each frame's RGB and, when it
 * had one, its packed background pair; `frames.json`, written last, says how to cut it, so a folder
 * without it is a run still being written.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelError } from '@vigil/core';
import { packBackground, unpackBackground } from '../backgroundPair/pair.js';
import type { FrameInput } from '../frameInput.js';

const FORMAT = 'vigil-learning-frames';
const FORMAT_VERSION = 1;
const INDEX = 'frames.json';
const DATA = 'frames.bin';

interface LearningIndex {
  format: typeof FORMAT;
  formatVersion: number;
  cameraId: string;
  width: number;
  height: number;
  /** Per frame: its sequence number, whether the frame before it in the file is its predecessor, its background's bytes (0: none). */
  frames: { seq?: number; prev: boolean; background: number }[];
}

/** Writes a run (replacing any earlier run in `dir`); frames must share one size. */
export async function writeLearningFrames(dir: string, cameraId: string, frames: readonly FrameInput[]): Promise<void> {
  const first = frames[0];
  if (!first) throw new ModelError(`no learning frames to write for camera ${cameraId}`);
  const { width, height } = first;
  const index: LearningIndex = { format: FORMAT, formatVersion: FORMAT_VERSION, cameraId, width, height, frames: [] };
  const parts: Uint8Array[] = [];
  frames.forEach((f, i) => {
    if (f.width !== width || f.height !== height) throw new ModelError(`learning frames of camera ${cameraId} differ in size: ${width}x${height} and ${f.width}x${f.height}`);
    const background = f.background ? packBackground(f.background) : undefined;
    parts.push(f.data.subarray(0, width * height * 3));
    if (background) parts.push(background);
    index.frames.push({ ...(f.seq !== undefined ? { seq: f.seq } : {}), prev: i > 0 && f.prev === frames[i - 1]!.data, background: background?.length ?? 0 });
  });
  // Beside, then renamed into place: a reader never sees a run half-written.
  const partial = `${dir}.partial`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  await writeFile(join(partial, DATA), Buffer.concat(parts));
  await writeFile(join(partial, INDEX), JSON.stringify(index));
  await rm(dir, { recursive: true, force: true });
  await rename(partial, dir);
}

/** Reads a run back as inputs (predecessors and backgrounds restored); a missing, foreign or truncated run is a ModelError naming it. */
export async function readLearningFrames(dir: string): Promise<{ cameraId: string; frames: FrameInput[] }> {
  let index: LearningIndex;
  try {
    index = JSON.parse(await readFile(join(dir, INDEX), 'utf8')) as LearningIndex;
  } catch (err) {
    throw new ModelError(`learning frames in ${dir} cannot be read: ${(err as Error).message}`);
  }
  if (index.format !== FORMAT || index.formatVersion !== FORMAT_VERSION || !Array.isArray(index.frames)) {
    throw new ModelError(`${join(dir, INDEX)} is not a vigil learning-frames index (format ${FORMAT} ${FORMAT_VERSION})`);
  }
  const { width, height } = index;
  const frameBytes = width * height * 3;
  const expected = index.frames.reduce((n, f) => n + frameBytes + f.background, 0);
  let data: Buffer;
  try {
    data = await readFile(join(dir, DATA));
  } catch (err) {
    throw new ModelError(`learning frames in ${dir} cannot be read: ${(err as Error).message}`);
  }
  if (data.length !== expected) throw new ModelError(`learning frames in ${dir} are truncated or corrupt: ${data.length} bytes, expected ${expected}`);
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const frames: FrameInput[] = [];
  let at = 0;
  for (const f of index.frames) {
    const rgb = bytes.subarray(at, at + frameBytes);
    at += frameBytes;
    const background = f.background ? unpackBackground(bytes.subarray(at, at + f.background), width, height) : undefined;
    if (f.background && !background) throw new ModelError(`learning frames in ${dir}: a background of ${f.background} bytes does not fit ${width}x${height}`);
    at += f.background;
    const prev = f.prev ? frames[frames.length - 1]?.data : undefined;
    frames.push({ data: rgb, width, height, ...(f.seq !== undefined ? { seq: f.seq } : {}), ...(prev ? { prev } : {}), ...(background ? { background } : {}) });
  }
  return { cameraId: index.cameraId, frames };
}
