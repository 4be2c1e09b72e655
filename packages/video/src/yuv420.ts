/**
 * Frames in transit as YUV 4:2:0 (JPEG's full-range BT.601 YCbCr: luma at every pixel, the two colour
 * differences averaged over each 2 × 2 block), half the bytes of rgb24. Luma is the luma the motion members
 * compute (0.299 R + 0.587 G + 0.114 B) up to rounding, and the colour averages of each 2 × 2 block survive
 * (the conversion is linear), so what the detectors measure — luma at full size, colour at half size —
 * crosses Redis up to rounding. Fine colour edges are what is lost: alert snapshots show it.
 */

/** Bytes of a width × height frame as YUV 4:2:0 (odd sizes: the last chroma row/column covers one pixel). */
export function yuv420Bytes(width: number, height: number): number {
  return width * height + 2 * Math.ceil(width / 2) * Math.ceil(height / 2);
}

const clamp = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));

/** Packs rgb24 into Y (width × height), then Cb and Cr (each ⌈w/2⌉ × ⌈h/2⌉). */
export function packYuv420(rgb: Uint8Array, width: number, height: number): Uint8Array {
  if (rgb.length !== width * height * 3) throw new RangeError(`packYuv420: ${rgb.length} bytes is not ${width}x${height} rgb24`);
  const cw = Math.ceil(width / 2),
    ch = Math.ceil(height / 2);
  const out = new Uint8Array(yuv420Bytes(width, height));
  const cbAt = width * height,
    crAt = cbAt + cw * ch;
  // Luma in 16-bit fixed point (JPEG's weights), rounded.
  for (let i = 0, j = 0, n = width * height; i < n; i++, j += 3) out[i] = (19595 * rgb[j]! + 38470 * rgb[j + 1]! + 7471 * rgb[j + 2]! + 32768) >> 16;
  for (let cy = 0; cy < ch; cy++) {
    const y0 = 2 * cy,
      y1 = Math.min(height - 1, y0 + 1);
    const row0 = y0 * width * 3,
      row1 = y1 * width * 3;
    for (let cx = 0; cx < cw; cx++) {
      const a = row0 + 6 * cx,
        c = row1 + 6 * cx;
      // The block's right column is its left one at an odd width's last column (and the bottom row its top one at an odd height's last row): the mean is unchanged.
      const dx = 2 * cx + 1 < width ? 3 : 0;
      const r = (rgb[a]! + rgb[a + dx]! + rgb[c]! + rgb[c + dx]!) * 0.25,
        g = (rgb[a + 1]! + rgb[a + dx + 1]! + rgb[c + 1]! + rgb[c + dx + 1]!) * 0.25,
        b = (rgb[a + 2]! + rgb[a + dx + 2]! + rgb[c + 2]! + rgb[c + dx + 2]!) * 0.25;
      out[cbAt + cy * cw + cx] = clamp(128 - 0.168736 * r - 0.331264 * g + 0.5 * b);
      out[crAt + cy * cw + cx] = clamp(128 + 0.5 * r - 0.418688 * g - 0.081312 * b);
    }
  }
  return out;
}

/** Each chroma value's contribution to R, G and B, once for all 256 values. */
const CR_R = new Float32Array(256),
  CR_G = new Float32Array(256),
  CB_G = new Float32Array(256),
  CB_B = new Float32Array(256);
for (let v = 0; v < 256; v++) {
  CR_R[v] = 1.402 * (v - 128);
  CR_G[v] = -0.714136 * (v - 128);
  CB_G[v] = -0.344136 * (v - 128);
  CB_B[v] = 1.772 * (v - 128);
}

/** rgb24 from a packed YUV 4:2:0 frame (into `out` when given). */
export function unpackYuv420(yuv: Uint8Array, width: number, height: number, out = new Uint8Array(width * height * 3)): Uint8Array {
  if (yuv.length !== yuv420Bytes(width, height)) throw new RangeError(`unpackYuv420: ${yuv.length} bytes is not a ${width}x${height} YUV 4:2:0 frame (${yuv420Bytes(width, height)} bytes)`);
  const cw = Math.ceil(width / 2);
  const cbAt = width * height,
    crAt = cbAt + cw * Math.ceil(height / 2);
  for (let y = 0; y < height; y++) {
    const crow = (y >> 1) * cw;
    for (let x = 0, i = y * width, o = i * 3; x < width; x++, i++, o += 3) {
      const cb = yuv[cbAt + crow + (x >> 1)]!,
        cr = yuv[crAt + crow + (x >> 1)]!;
      const Y = yuv[i]!;
      let r = Y + CR_R[cr]!,
        g = Y + CB_G[cb]! + CR_G[cr]!,
        b = Y + CB_B[cb]!;
      if (r < 0 || r > 255 || g < 0 || g > 255 || b < 0 || b > 255) {
        // Averaged colour can leave the RGB cube at a colour edge: clipping one channel would change luma,
        // so what one channel loses the others make up (luma is what the motion members see).
        r = r < 0 ? 0 : r > 255 ? 255 : r;
        g = g < 0 ? 0 : g > 255 ? 255 : g;
        b = b < 0 ? 0 : b > 255 ? 255 : b;
        const lost = Y - (0.299 * r + 0.587 * g + 0.114 * b);
        const free = (r > 0 && r < 255 ? 0.299 : 0) + (g > 0 && g < 255 ? 0.587 : 0) + (b > 0 && b < 255 ? 0.114 : 0);
        if (free > 0) {
          const add = lost / free;
          if (r > 0 && r < 255) r += add;
          if (g > 0 && g < 255) g += add;
          if (b > 0 && b < 255) b += add;
        }
        out[o] = clamp(r);
        out[o + 1] = clamp(g);
        out[o + 2] = clamp(b);
      } else {
        // In range: Uint8Array rounds by truncation, so add a half.
        out[o] = r + 0.5;
        out[o + 1] = g + 0.5;
        out[o + 2] = b + 0.5;
      }
    }
  }
  return out;
}
