/** Draws region outlines onto a frame for alert snapshots. */
export interface NormalisedBox {
  /** Left, top, width, height as fractions (0–1) of the frame. */
  x: number;
  y: number;
  width: number;
  height: number;
}

export type Rgb = [number, number, number];

const THICKNESS = 2;

/** Returns a copy of the rgb24 frame with a 2-px outline inside each box, clipped to the frame. */
export function drawBoxes(rgb: Uint8Array, width: number, height: number, boxes: readonly NormalisedBox[], color: Rgb = [255, 0, 0]): Uint8Array {
  if (rgb.length !== width * height * 3) {
    throw new RangeError(`drawBoxes: ${rgb.length} bytes is not ${width}x${height} rgb24`);
  }
  const out = rgb.slice();
  const fill = (x0: number, y0: number, x1: number, y1: number) => {
    for (let y = Math.max(0, y0); y <= Math.min(height - 1, y1); y++) {
      for (let x = Math.max(0, x0); x <= Math.min(width - 1, x1); x++) {
        const i = (y * width + x) * 3;
        out[i] = color[0];
        out[i + 1] = color[1];
        out[i + 2] = color[2];
      }
    }
  };
  for (const b of boxes) {
    const x0 = Math.max(0, Math.round(b.x * width));
    const y0 = Math.max(0, Math.round(b.y * height));
    const x1 = Math.min(width, Math.round((b.x + b.width) * width)) - 1;
    const y1 = Math.min(height, Math.round((b.y + b.height) * height)) - 1;
    if (x1 < x0 || y1 < y0) continue;
    fill(x0, y0, x1, y0 + THICKNESS - 1); // top
    fill(x0, y1 - THICKNESS + 1, x1, y1); // bottom
    fill(x0, y0, x0 + THICKNESS - 1, y1); // left
    fill(x1 - THICKNESS + 1, y0, x1, y1); // right
  }
  return out;
}
