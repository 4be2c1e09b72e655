/**
 * A video anomaly dataset in the UCSD Ped1/Ped2 layout:
 *   Train/<clip>/<frames>      normal footage only
 *   Test/<clip>/<frames>       footage with anomalies
 *   Test/<clip>_gt/<masks>     optional per-pixel ground truth, one mask per frame (white = anomalous)
 *   Test/*.m or labels.json    frame labels (see frameLabels.ts)
 * Frames are .tif, .png, .jpg or .bmp, in name order. Reading the layout only lists files; frames are
 * decoded per clip (decodeClipFrames, decodeClipMasks) so a large test set never sits in memory whole.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import type { FrameSize } from '@vigil/core';
import { decodeImageSequence, imageSequenceSize, IMAGE_EXTENSIONS, listImageFiles, probeVideo } from '@vigil/video';
import { DatasetError } from './datasetError.js';
import { labelsFromRanges, parseLabelsJson, parseUcsdLabelFile, type FrameRange } from './frameLabels.js';

export interface DatasetClip {
  name: string;
  dir: string;
  /** Image files in frame order. */
  files: string[];
}

export interface DatasetTestClip extends DatasetClip {
  /** Per frame: true = anomalous. */
  labels: boolean[];
  /** Mask files in frame order, when `Test/<clip>_gt/` exists. */
  maskFiles?: string[];
}

export interface UcsdDataset {
  root: string;
  train: DatasetClip[];
  test: DatasetTestClip[];
  /** The file the frame labels came from. */
  labelFile: string;
  /** Whether every test clip has masks (pixel figures are computed over the clips that have them). */
  hasMasks: boolean;
}

const FORMATS = IMAGE_EXTENSIONS.join(', ');

export function readUcsdDataset(root: string): UcsdDataset {
  if (!isDir(root)) throw new DatasetError(`dataset folder ${root} does not exist`);
  const trainDir = findChild(root, 'Train');
  const testDir = findChild(root, 'Test');
  if (!trainDir) throw new DatasetError(`${root}: no Train folder (expected Train/<clip>/<frames>)`);
  if (!testDir) throw new DatasetError(`${root}: no Test folder (expected Test/<clip>/<frames>)`);

  const train = clipsIn(trainDir, root);
  if (train.length === 0) throw new DatasetError(`${rel(root, trainDir)}: holds no clips`);
  const clips = clipsIn(testDir, root);
  if (clips.length === 0) throw new DatasetError(`${rel(root, testDir)}: holds no clips`);

  const { labelFile, rangesOf } = readLabels(root, testDir, clips);
  const test: DatasetTestClip[] = clips.map((clip, i) => {
    const labels = labelsFromRanges(rangesOf(clip, i), clip.files.length, rel(root, clip.dir));
    const gtDir = join(testDir, `${clip.name}_gt`);
    if (!isDir(gtDir)) return { ...clip, labels };
    const maskFiles = listImageFiles(gtDir);
    if (maskFiles.length !== clip.files.length) {
      throw new DatasetError(`${rel(root, gtDir)}: ${maskFiles.length} masks for the ${clip.files.length} frames of ${clip.name}`);
    }
    return { ...clip, labels, maskFiles };
  });
  return { root, train, test, labelFile, hasMasks: test.every((c) => c.maskFiles) };
}

/** The analysis size of the dataset's frames at `width` (from the first training frame). */
export function datasetFrameSize(dataset: UcsdDataset, width: number): Promise<FrameSize> {
  return imageSequenceSize(dataset.train[0]!.files[0]!, width);
}

/** The frames' own size (of the first training frame). */
export async function datasetNativeSize(dataset: UcsdDataset): Promise<FrameSize> {
  const { width, height } = await probeVideo(dataset.train[0]!.files[0]!);
  return { width, height };
}

export function decodeClipFrames(clip: DatasetClip, size: FrameSize): Promise<Uint8Array[]> {
  return decodeImageSequence(clip.files, { size });
}

/** One byte per pixel, 1 = anomalous; empty when the clip has no masks. */
export function decodeClipMasks(clip: DatasetTestClip, size: FrameSize): Promise<Uint8Array[]> {
  return clip.maskFiles ? decodeImageSequence(clip.maskFiles, { size, as: 'mask' }) : Promise.resolve([]);
}

/** Clip folders of Train/ or Test/ in name order (`*_gt` mask folders excluded); a folder of bare frames is one clip. */
function clipsIn(dir: string, root: string): DatasetClip[] {
  const entries = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.') && !e.name.endsWith('_gt'))
    .map((e) => e.name)
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  if (entries.length === 0) {
    const files = listImageFiles(dir);
    return files.length ? [{ name: basename(dir), dir, files }] : [];
  }
  return entries.map((name) => {
    const clipDir = join(dir, name);
    const files = listImageFiles(clipDir);
    if (files.length === 0) throw new DatasetError(`${rel(root, clipDir)}: no frames (${FORMATS})`);
    return { name, dir: clipDir, files };
  });
}

function readLabels(root: string, testDir: string, clips: DatasetClip[]): { labelFile: string; rangesOf: (clip: DatasetClip, index: number) => FrameRange[] } {
  const json = [join(root, 'labels.json'), join(testDir, 'labels.json')].find((f) => existsSync(f));
  if (json) {
    const byClip = parseLabelsJson(readFileSync(json, 'utf8'), rel(root, json));
    const known = new Set(clips.map((c) => c.name));
    for (const name of byClip.keys()) if (!known.has(name)) throw new DatasetError(`${rel(root, json)}: names clip "${name}", which is not in Test/`);
    // A clip the file does not name has no anomalous frame.
    return { labelFile: json, rangesOf: (clip) => byClip.get(clip.name) ?? [] };
  }
  const mFiles = [testDir, root].flatMap((d) =>
    readdirSync(d)
      .filter((n) => n.toLowerCase().endsWith('.m'))
      .map((n) => join(d, n)),
  );
  if (mFiles.length === 0) throw new DatasetError(`${root}: no frame labels (expected labels.json or the UCSD Test/<name>.m file)`);
  if (mFiles.length > 1) throw new DatasetError(`${root}: several .m label files (${mFiles.map((f) => rel(root, f)).join(', ')}); keep one`);
  const mFile = mFiles[0]!;
  const perClip = parseUcsdLabelFile(readFileSync(mFile, 'utf8'), rel(root, mFile));
  if (perClip.length !== clips.length) {
    throw new DatasetError(`${rel(root, mFile)}: labels for ${perClip.length} clips, but Test/ holds ${clips.length}`);
  }
  return { labelFile: mFile, rangesOf: (_clip, i) => perClip[i]! };
}

/** A child folder by name, case-insensitively (UCSD archives differ in case across mirrors). */
function findChild(dir: string, name: string): string | undefined {
  const hit = readdirSync(dir).find((n) => n.toLowerCase() === name.toLowerCase() && isDir(join(dir, n)));
  return hit ? join(dir, hit) : undefined;
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function rel(root: string, p: string): string {
  return relative(root, p) || '.';
}
