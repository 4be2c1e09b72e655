import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { decodeFrames, drawBoxes, encodeJpeg } from '../src/index.js';

const STREET = fileURLToPath(new URL('../../../footage/street.mp4', import.meta.url));

describe('encodeJpeg', () => {
  it('encodes a real frame to a JPEG that decodes to the same size and similar pixels', async () => {
    let frame: { data: Uint8Array; width: number; height: number } | undefined;
    for await (const f of decodeFrames(STREET, { fps: 5, width: 320, maxFrames: 1 })) frame = f;
    const { data, width, height } = frame!;
    const bytes = encodeJpeg(data, width, height, 85);
    expect([bytes[0], bytes[1]]).toEqual([0xff, 0xd8]);

    const decoded = jpeg.decode(bytes, { useTArray: true });
    expect([decoded.width, decoded.height]).toEqual([320, 176]);
    let err = 0;
    for (let p = 0; p < width * height; p++) err += Math.abs(decoded.data[p * 4]! - data[p * 3]!);
    expect(err / (width * height)).toBeLessThan(8);

    const file = join(mkdtempSync(join(tmpdir(), 'vigil-jpeg-')), 'snap.jpg');
    writeFileSync(file, bytes);
    const probed = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=width,height,codec_name', '-of', 'csv=p=0', file]).toString().trim();
    expect(probed).toBe('mjpeg,320,176');
  });

  it('rejects a buffer that is not width × height × 3', () => {
    expect(() => encodeJpeg(new Uint8Array(10), 4, 4)).toThrow(RangeError);
  });
});

describe('drawBoxes', () => {
  it('draws a 2-px outline on a copy and leaves the inside and the original untouched', () => {
    const w = 100;
    const h = 50;
    const rgb = new Uint8Array(w * h * 3);
    const out = drawBoxes(rgb, w, h, [{ x: 0.1, y: 0.2, width: 0.5, height: 0.4 }], [0, 255, 0]);
    const px = (x: number, y: number) => Array.from(out.subarray((y * w + x) * 3, (y * w + x) * 3 + 3));
    expect(rgb.every((v) => v === 0)).toBe(true);
    // Box spans x 10..59, y 10..29.
    expect(px(10, 10)).toEqual([0, 255, 0]);
    expect(px(11, 20)).toEqual([0, 255, 0]);
    expect(px(59, 29)).toEqual([0, 255, 0]);
    expect(px(35, 28)).toEqual([0, 255, 0]);
    expect(px(12, 12)).toEqual([0, 0, 0]);
    expect(px(35, 20)).toEqual([0, 0, 0]);
    expect(px(9, 10)).toEqual([0, 0, 0]);
    expect(px(60, 30)).toEqual([0, 0, 0]);
  });

  it('clips boxes that reach past the frame edge', () => {
    const out = drawBoxes(new Uint8Array(20 * 10 * 3), 20, 10, [{ x: 0.5, y: 0.5, width: 1, height: 1 }]);
    expect(Array.from(out.subarray((9 * 20 + 19) * 3, (9 * 20 + 19) * 3 + 3))).toEqual([255, 0, 0]);
  });
});
