/** Still-image encoding for alert snapshots and the live preview. */
import jpeg from 'jpeg-js';

/** Encodes packed rgb24 as a baseline JPEG (quality 1–100). */
export function encodeJpeg(rgb: Uint8Array, width: number, height: number, quality = 80): Uint8Array {
  const pixels = width * height;
  if (rgb.length !== pixels * 3) {
    throw new RangeError(`encodeJpeg: ${rgb.length} bytes is not ${width}x${height} rgb24 (${pixels * 3} bytes)`);
  }
  // jpeg-js reads RGBA only.
  const rgba = new Uint8Array(pixels * 4);
  for (let i = 0, j = 0; i < pixels * 3; i += 3, j += 4) {
    rgba[j] = rgb[i]!;
    rgba[j + 1] = rgb[i + 1]!;
    rgba[j + 2] = rgb[i + 2]!;
    rgba[j + 3] = 255;
  }
  const { data } = jpeg.encode({ data: rgba, width, height }, quality);
  return new Uint8Array(data.buffer, data.byteOffset, data.length);
}
