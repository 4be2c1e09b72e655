/**
 * Frame labels of a UCSD-layout dataset, from either source:
 * - the UCSD MATLAB file (`UCSDped2.m`): `TestVideoFile{n}.gt_frame = [61:180];` for the n-th test clip
 *   in name order (`{end+1}` appends, as the published files write it); entries are ranges `a:b` or
 *   single frames, separated by commas or spaces; `%` starts a comment;
 * - `labels.json`: `{"<clip>": [[first, last], …]}`, also 1-based and inclusive.
 * Both give, per clip, 1-based inclusive [first, last] ranges of anomalous frames.
 */
import { DatasetError } from './datasetError.js';

export type FrameRange = [first: number, last: number];

/** Ranges per test clip, in clip order (index 0 = TestVideoFile{1}). */
export function parseUcsdLabelFile(text: string, file: string): FrameRange[][] {
  const clips: FrameRange[][] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, lineNo) => {
    const line = raw.replace(/%.*$/, '').trim();
    if (!/\.gt_frame\b/.test(line)) return;
    const where = `${file}:${lineNo + 1}`;
    const m = /^TestVideoFile\s*\{\s*(\d+|end\s*\+\s*1)\s*\}\s*\.gt_frame\s*=\s*\[([^\]]*)\]\s*;?$/.exec(line);
    if (!m) throw new DatasetError(`${where}: cannot parse "${raw.trim()}" (expected TestVideoFile{n}.gt_frame = [a:b, …];)`);
    const index = /^\d+$/.test(m[1]!) ? Number(m[1]) - 1 : clips.length;
    if (index < 0) throw new DatasetError(`${where}: clip numbers start at 1`);
    if (clips[index]) throw new DatasetError(`${where}: TestVideoFile{${index + 1}} is given twice`);
    clips[index] = parseRanges(m[2]!, where);
  });
  if (clips.length === 0) throw new DatasetError(`${file}: no TestVideoFile{n}.gt_frame = [...] lines found`);
  for (let i = 0; i < clips.length; i++) if (!clips[i]) throw new DatasetError(`${file}: TestVideoFile{${i + 1}} is missing (clips must be numbered 1…${clips.length})`);
  return clips;
}

function parseRanges(body: string, where: string): FrameRange[] {
  const ranges: FrameRange[] = [];
  for (const token of body.split(/[\s,;]+/).filter(Boolean)) {
    const m = /^(\d+)(?::(\d+))?(?::(\d+))?$/.exec(token);
    if (!m) throw new DatasetError(`${where}: "${token}" is not a frame number or a range a:b`);
    // MATLAB a:step:b — the UCSD files use only a:b, but a step of 1 is harmless to accept.
    if (m[3] !== undefined && m[2] !== '1') throw new DatasetError(`${where}: "${token}": only a step of 1 is supported`);
    const first = Number(m[1]);
    const last = Number(m[3] ?? m[2] ?? m[1]);
    ranges.push(checkRange([first, last], `${where}: "${token}"`));
  }
  return ranges;
}

/** `labels.json` → ranges per clip name. */
export function parseLabelsJson(text: string, file: string): Map<string, FrameRange[]> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new DatasetError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new DatasetError(`${file}: expected an object {"<clip>": [[first, last], …]}`);
  const out = new Map<string, FrameRange[]>();
  for (const [clip, value] of Object.entries(data)) {
    if (!Array.isArray(value)) throw new DatasetError(`${file}: "${clip}" must be a list of [first, last] ranges`);
    out.set(
      clip,
      value.map((r: unknown, i) => {
        if (!Array.isArray(r) || r.length !== 2 || !r.every((v) => Number.isInteger(v))) {
          throw new DatasetError(`${file}: "${clip}"[${i}] must be [first, last] with whole frame numbers, got ${JSON.stringify(r)}`);
        }
        return checkRange([r[0] as number, r[1] as number], `${file}: "${clip}"[${i}]`);
      }),
    );
  }
  return out;
}

function checkRange([first, last]: FrameRange, where: string): FrameRange {
  if (first < 1) throw new DatasetError(`${where}: frame numbers start at 1`);
  if (last < first) throw new DatasetError(`${where}: range ends (${last}) before it starts (${first})`);
  return [first, last];
}

/** Per-frame anomalous flags for a clip of `frames` frames; a range past the clip's end is an error. */
export function labelsFromRanges(ranges: FrameRange[], frames: number, clip: string): boolean[] {
  const labels = new Array<boolean>(frames).fill(false);
  for (const [first, last] of ranges) {
    if (last > frames) throw new DatasetError(`${clip}: labels mark frame ${last} anomalous but the clip has ${frames} frames`);
    for (let f = first; f <= last; f++) labels[f - 1] = true;
  }
  return labels;
}
