import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { datasetFrameSize, decodeClipFrames, decodeClipMasks, readUcsdDataset } from '../src/eval/ucsdDataset.js';
import { encodePng } from '../src/synth/png.js';

const root = mkdtempSync(join(tmpdir(), 'vigil-ucsd-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A grey 36x24 frame (UCSD Ped2 is grey 360x240), brightness `v`, with a white 6x6 square at (x, y) when given. */
function grey(v: number, square?: [number, number]): Buffer {
  const px = new Uint8Array(36 * 24).fill(v);
  if (square) for (let y = square[1]; y < square[1] + 6; y++) for (let x = square[0]; x < square[0] + 6; x++) px[y * 36 + x] = 255;
  return encodePng(px, 36, 24, 1);
}

function clip(dir: string, frames: Buffer[], ext = 'png'): void {
  mkdirSync(dir, { recursive: true });
  frames.forEach((f, i) => {
    const png = join(dir, `${String(i + 1).padStart(3, '0')}.png`);
    writeFileSync(png, f);
    // Other formats through ffmpeg, as the public datasets ship them.
    if (ext !== 'png') {
      execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', png, png.replace(/png$/, ext)]);
      rmSync(png);
    }
  });
}

/** The frames and masks, converted once (ffmpeg per image is slow on a busy machine) and copied per case. */
const template = join(root, 'template');
clip(join(template, 'Train', 'Train001'), [grey(100), grey(102), grey(104)], 'tif');
clip(join(template, 'Train', 'Train002'), [grey(98), grey(101)], 'tif');
clip(join(template, 'Test', 'Test001'), [grey(100), grey(100, [10, 10]), grey(100, [12, 10]), grey(100)], 'tif');
clip(join(template, 'Test', 'Test002'), [grey(100), grey(101)], 'bmp');
clip(join(template, 'Test', 'Test001_gt'), [grey(0), grey(0, [10, 10]), grey(0, [12, 10]), grey(0)], 'bmp');
clip(join(template, 'Test', 'Test002_gt'), [grey(0), grey(0)], 'bmp');

function dataset(name: string, opts: { labels?: 'm' | 'json' | 'none'; masks?: boolean } = {}): string {
  const dir = join(root, name);
  cpSync(template, dir, { recursive: true });
  if (!opts.masks) for (const gt of ['Test001_gt', 'Test002_gt']) rmSync(join(dir, 'Test', gt), { recursive: true });
  if ((opts.labels ?? 'm') === 'm') writeFileSync(join(dir, 'Test', 'UCSDped2.m'), 'TestVideoFile = {};\nTestVideoFile{end+1}.gt_frame = [2:3];\nTestVideoFile{end+1}.gt_frame = [];\n');
  if (opts.labels === 'json') writeFileSync(join(dir, 'labels.json'), '{"Test001": [[2, 3]]}');
  return dir;
}

describe('reading a UCSD-layout dataset', () => {
  it('lists Train and Test clips in order, with labels from the .m file and masks from <clip>_gt', async () => {
    const ds = readUcsdDataset(dataset('good', { masks: true }));
    expect(ds.train.map((c) => [c.name, c.files.length])).toEqual([
      ['Train001', 3],
      ['Train002', 2],
    ]);
    expect(ds.test.map((c) => c.name)).toEqual(['Test001', 'Test002']);
    expect(ds.test[0]!.labels).toEqual([false, true, true, false]);
    expect(ds.test[1]!.labels).toEqual([false, false]);
    expect(ds.labelFile).toMatch(/UCSDped2\.m$/);
    expect(ds.hasMasks).toBe(true);

    // 36x24 grey at analysis width 30: 30x20, grey pixels become equal RGB triples.
    const size = await datasetFrameSize(ds, 30);
    expect(size).toEqual({ width: 30, height: 20 });
    const frames = await decodeClipFrames(ds.test[0]!, size);
    expect(frames).toHaveLength(4);
    expect(frames[0]!.length).toBe(30 * 20 * 3);
    expect([frames[0]![0], frames[0]![1], frames[0]![2]]).toEqual([100, 100, 100]);
    const masks = await decodeClipMasks(ds.test[0]!, size);
    expect(masks.map((m) => m.reduce((a, b) => a + b, 0))).toEqual([0, 25, 25, 0]);
    // The square at (10..15, 10..15) of 36x24 lands near (8..12, 8..12) of 30x20.
    expect(masks[1]![10 * 30 + 10]).toBe(1);
    expect(masks[1]![2 * 30 + 2]).toBe(0);
  });

  it('takes labels.json when present; clips it does not name are normal', () => {
    const ds = readUcsdDataset(dataset('json', { labels: 'json' }));
    expect(ds.labelFile).toMatch(/labels\.json$/);
    expect(ds.test[0]!.labels).toEqual([false, true, true, false]);
    expect(ds.test[1]!.labels).toEqual([false, false]);
    expect(ds.hasMasks).toBe(false);
  });

  it('says what is wrong with a broken layout', () => {
    const noTrain = join(root, 'no-train');
    clip(join(noTrain, 'Test', 'Test001'), [grey(1)]);
    expect(() => readUcsdDataset(noTrain)).toThrow(/no-train: no Train folder/);
    expect(() => readUcsdDataset(join(root, 'absent'))).toThrow(/absent does not exist/);

    const empty = dataset('empty-clip');
    mkdirSync(join(empty, 'Train', 'Train003'));
    writeFileSync(join(empty, 'Train', 'Train003', 'notes.txt'), 'x');
    expect(() => readUcsdDataset(empty)).toThrow(/Train\/Train003: no frames \(\.tif/);

    const noLabels = dataset('no-labels', { labels: 'none' });
    expect(() => readUcsdDataset(noLabels)).toThrow(/no frame labels \(expected labels\.json or the UCSD Test\/<name>\.m file\)/);

    const badM = dataset('bad-m', { labels: 'none' });
    writeFileSync(join(badM, 'Test', 'UCSDped2.m'), 'TestVideoFile{1}.gt_frame = [2:3;\n');
    expect(() => readUcsdDataset(badM)).toThrow(/Test\/UCSDped2\.m:1: cannot parse/);

    const fewer = dataset('fewer-labels', { labels: 'none' });
    writeFileSync(join(fewer, 'Test', 'UCSDped2.m'), 'TestVideoFile{1}.gt_frame = [2:3];\n');
    expect(() => readUcsdDataset(fewer)).toThrow(/labels for 1 clips, but Test\/ holds 2/);

    const pastEnd = dataset('past-end', { labels: 'none' });
    writeFileSync(join(pastEnd, 'labels.json'), '{"Test002": [[1, 5]]}');
    expect(() => readUcsdDataset(pastEnd)).toThrow(/Test\/Test002: labels mark frame 5 anomalous but the clip has 2 frames/);

    const unknownClip = dataset('unknown-clip', { labels: 'none' });
    writeFileSync(join(unknownClip, 'labels.json'), '{"Test009": [[1, 1]]}');
    expect(() => readUcsdDataset(unknownClip)).toThrow(/names clip "Test009", which is not in Test\//);

    const masks = dataset('mask-count', { masks: true });
    rmSync(join(masks, 'Test', 'Test001_gt', '004.bmp'));
    expect(() => readUcsdDataset(masks)).toThrow(/Test\/Test001_gt: 3 masks for the 4 frames of Test001/);
  });
});
