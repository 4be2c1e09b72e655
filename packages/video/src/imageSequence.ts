/**
 * Decodes a folder of still images (one clip of a UCSD-style dataset) with ffmpeg, in name order, each
 * scaled to the analysis size: frames as rgb24 (grey images become RGB), masks as one byte per pixel.
 * One ffmpeg per clip via the concat demuxer, so the order is ours (numeric-aware) and names may hold
 * any character; a clip mixing image formats is refused, as concat cannot switch decoders midway.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { StreamError, type FrameSize } from '@vigil/core';
import { killOnExit } from './exitCleanup.js';
import { probeVideo } from './ffmpeg.js';

export const IMAGE_EXTENSIONS: readonly string[] = ['.tif', '.tiff', '.png', '.jpg', '.jpeg', '.bmp'];

export function isImageFile(name: string): boolean {
  return !name.startsWith('.') && IMAGE_EXTENSIONS.includes(extname(name).toLowerCase());
}

/** Image files of a folder, sorted by name with digit runs compared as numbers (`2.png` before `10.png`). */
export function listImageFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    throw new StreamError(`cannot read image folder ${dir} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return names
    .filter(isImageFile)
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
    .map((n) => join(dir, n));
}

/** The analysis size of an image sequence at `width`: height keeps the aspect ratio, rounded to even. */
export async function imageSequenceSize(firstFile: string, width: number): Promise<FrameSize> {
  const info = await probeVideo(firstFile);
  return { width, height: Math.max(2, 2 * Math.round((width * info.height) / info.width / 2)) };
}

export interface ImageSequenceOptions {
  /** Output size; every image is scaled to exactly this. */
  size: FrameSize;
  /** 'rgb' (default): packed rgb24. 'mask': one byte per pixel, 1 where the image is bright (> 127), else 0. */
  as?: 'rgb' | 'mask';
}

/** Decodes `files` (in the given order) to frames of `options.size`; throws a StreamError naming the folder. */
export async function decodeImageSequence(files: string[], options: ImageSequenceOptions): Promise<Uint8Array[]> {
  if (files.length === 0) return [];
  const kinds = new Set(files.map((f) => normalisedExtension(f)));
  if (kinds.size > 1) throw new StreamError(`${resolve(files[0]!, '..')}: mixes image formats (${[...kinds].join(', ')}); one format per clip`);
  const { width, height } = options.size;
  const mask = options.as === 'mask';
  const tmp = mkdtempSync(join(tmpdir(), 'vigil-seq-'));
  const list = join(tmp, 'list.txt');
  writeFileSync(list, files.map((f) => `file '${resolve(f).replace(/'/g, "'\\''")}'\nduration 1\n`).join(''));
  // Nearest-neighbour for masks, so a scaled mask stays a mask; bilinear area-ish for pictures.
  const flags = mask ? 'neighbor' : 'bilinear';
  const args = [
    '-v',
    'error',
    '-nostdin',
    '-f',
    'concat',
    '-safe',
    '0',
    '-i',
    list,
    '-vf',
    `scale=${width}:${height}:flags=${flags}`,
    '-fps_mode',
    'passthrough',
    '-pix_fmt',
    mask ? 'gray' : 'rgb24',
    '-f',
    'rawvideo',
    '-',
  ];
  const child = spawn('ffmpeg', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const unregister = killOnExit(() => child.kill('SIGKILL'));
  const chunks: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => chunks.push(c));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  try {
    const code = await new Promise<number | null>((ok, fail) => {
      child.once('error', fail);
      child.once('close', ok);
    });
    const folder = resolve(files[0]!, '..');
    if (code !== 0) throw new StreamError(`cannot decode the images in ${folder}: ${lastLine(stderr) || `ffmpeg exited ${code}`}`);
    const all = Buffer.concat(chunks);
    const frameBytes = width * height * (mask ? 1 : 3);
    const count = Math.floor(all.length / frameBytes);
    if (count !== files.length) throw new StreamError(`${folder}: decoded ${count} frames from ${files.length} images`);
    const frames: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      const frame = new Uint8Array(all.subarray(i * frameBytes, (i + 1) * frameBytes));
      if (mask) for (let p = 0; p < frame.length; p++) frame[p] = frame[p]! > 127 ? 1 : 0;
      frames.push(frame);
    }
    return frames;
  } catch (err) {
    if (err instanceof StreamError) throw err;
    throw new StreamError(`cannot run ffmpeg on ${files[0]}: ${(err as Error).message}`);
  } finally {
    unregister();
    rmSync(tmp, { recursive: true, force: true });
  }
}

function normalisedExtension(file: string): string {
  const ext = extname(file).toLowerCase();
  return ext === '.tiff' ? '.tif' : ext === '.jpeg' ? '.jpg' : ext;
}

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1)?.trim() ?? '';
}
