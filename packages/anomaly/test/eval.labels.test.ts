import { describe, expect, it } from 'vitest';
import { DatasetError } from '../src/eval/datasetError.js';
import { labelsFromRanges, parseLabelsJson, parseUcsdLabelFile } from '../src/eval/frameLabels.js';

describe('UCSD .m frame labels', () => {
  it('reads numbered clips with ranges, single frames and several ranges, ignoring comments', () => {
    const text = [
      'TestVideoFile = {};',
      '% Ped2 ground truth',
      'TestVideoFile{1}.gt_frame = [61:180];',
      'TestVideoFile{2}.gt_frame = [95:180];  % a comment',
      'TestVideoFile{3}.gt_frame = [1:146, 150, 160:162];',
    ].join('\n');
    expect(parseUcsdLabelFile(text, 'UCSDped2.m')).toEqual([
      [[61, 180]],
      [[95, 180]],
      [
        [1, 146],
        [150, 150],
        [160, 162],
      ],
    ]);
  });

  it('reads the {end+1} form the published Ped1 file uses, and CRLF lines', () => {
    const text = 'TestVideoFile = {};\r\nTestVideoFile{end+1}.gt_frame = [60:152];\r\nTestVideoFile{end + 1}.gt_frame = [50:175];\r\n';
    expect(parseUcsdLabelFile(text, 'UCSDped1.m')).toEqual([[[60, 152]], [[50, 175]]]);
  });

  it('names the line it cannot parse', () => {
    expect(() => parseUcsdLabelFile('TestVideoFile{1}.gt_frame = [61:180];\nTestVideoFile{2}.gt_frame = 61:180;\n', 'x.m')).toThrow(/x\.m:2: cannot parse/);
    expect(() => parseUcsdLabelFile('TestVideoFile{1}.gt_frame = [61-180];', 'x.m')).toThrow(/x\.m:1: "61-180" is not a frame number/);
    expect(() => parseUcsdLabelFile('TestVideoFile{1}.gt_frame = [80:10];', 'x.m')).toThrow(/ends \(10\) before it starts \(80\)/);
  });

  it('refuses a file without labels, a gap in the numbering and a clip given twice', () => {
    expect(() => parseUcsdLabelFile('disp(1)\n', 'x.m')).toThrow(DatasetError);
    expect(() => parseUcsdLabelFile('disp(1)\n', 'x.m')).toThrow(/no TestVideoFile\{n\}\.gt_frame/);
    expect(() => parseUcsdLabelFile('TestVideoFile{1}.gt_frame = [1:2];\nTestVideoFile{3}.gt_frame = [1:2];', 'x.m')).toThrow(/TestVideoFile\{2\} is missing/);
    expect(() => parseUcsdLabelFile('TestVideoFile{1}.gt_frame = [1:2];\nTestVideoFile{1}.gt_frame = [3:4];', 'x.m')).toThrow(/given twice/);
  });
});

describe('labels.json frame labels', () => {
  it('reads 1-based inclusive ranges per clip', () => {
    const labels = parseLabelsJson('{"Test001": [[3, 5], [9, 9]], "Test002": []}', 'labels.json');
    expect(labels.get('Test001')).toEqual([
      [3, 5],
      [9, 9],
    ]);
    expect(labels.get('Test002')).toEqual([]);
  });

  it('names what is malformed', () => {
    expect(() => parseLabelsJson('{"a": [[1, 2]', 'labels.json')).toThrow(/labels\.json: not valid JSON/);
    expect(() => parseLabelsJson('[[1, 2]]', 'labels.json')).toThrow(/expected an object/);
    expect(() => parseLabelsJson('{"a": [1, 2]}', 'labels.json')).toThrow(/"a"\[0\] must be \[first, last\]/);
    expect(() => parseLabelsJson('{"a": [[0, 2]]}', 'labels.json')).toThrow(/frame numbers start at 1/);
    expect(() => parseLabelsJson('{"a": {"from": 1}}', 'labels.json')).toThrow(/"a" must be a list/);
  });
});

describe('per-frame labels from ranges', () => {
  it('marks the frames of each range, 1-based and inclusive', () => {
    expect(
      labelsFromRanges(
        [
          [2, 3],
          [5, 5],
        ],
        6,
        'Test001',
      ),
    ).toEqual([false, true, true, false, true, false]);
  });

  it('refuses a range past the end of the clip, naming the clip', () => {
    expect(() => labelsFromRanges([[2, 9]], 6, 'Test/Test001')).toThrow(/Test\/Test001: labels mark frame 9 anomalous but the clip has 6 frames/);
  });
});
