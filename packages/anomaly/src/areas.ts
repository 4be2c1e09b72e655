/**
 * Masks and zones of a camera (as Frigate's motion masks and zones): polygons in normalised frame
 * coordinates (0–1). A mask hides what is never to be judged — a timestamp overlay, trees in the wind,
 * the sky: its pixels are filled with flat grey in every frame a member sees (so nothing there moves or
 * changes), and its cells are left out of the map. Zones, when a camera has any, say what is watched —
 * lanes, shoulders: cells outside every zone are left out of the map (the pixels stay, so an object
 * entering a zone is seen whole). Applied alike when a model is fitted, calibrated and scored.
 */
import type { BackgroundImages, FrameInput } from './frameInput.js';

/** Vertices [x, y] in 0–1 of the frame's width and height. */
export type Polygon = [number, number][];

export interface CameraAreas {
  masks?: Polygon[];
  zones?: Polygon[];
}

/** Flat grey: it has no edges, no motion and no colour for a member to find. */
const FILL = 128;
/** Sample points per cell side when deciding whether a cell is hidden or watched. */
const SAMPLES = 4;

export function hasAreas(areas: CameraAreas | undefined): areas is CameraAreas {
  return !!areas && ((areas.masks?.length ?? 0) > 0 || (areas.zones?.length ?? 0) > 0);
}

/** Even–odd rule. */
export function insidePolygon(x: number, y: number, polygon: Polygon): boolean {
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i]!,
      [xj, yj] = polygon[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

const inAny = (x: number, y: number, polygons: Polygon[] | undefined) => !!polygons?.some((p) => insidePolygon(x, y, p));

/** One byte per pixel of a `width × height` frame: 1 where a mask covers the pixel's centre. */
export function maskedPixels(areas: CameraAreas, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height);
  if (!areas.masks?.length) return out;
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if (inAny((x + 0.5) / width, (y + 0.5) / height, areas.masks)) out[y * width + x] = 1;
  return out;
}

/**
 * Per cell of a `cols × rows` grid covering `covered` pixels of the frame from its top-left: 1 when the
 * cell is judged, 0 when any part of it is masked, or when the camera has zones and no part of it lies in one.
 */
export function cellWeights(areas: CameraAreas, frame: { width: number; height: number }, cols: number, rows: number, covered: { width: number; height: number }): Float32Array {
  const out = new Float32Array(cols * rows);
  const cw = covered.width / cols / frame.width,
    ch = covered.height / rows / frame.height;
  const zoned = (areas.zones?.length ?? 0) > 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      let masked = false,
        watched = !zoned;
      for (let sy = 0; sy < SAMPLES && !masked; sy++) {
        for (let sx = 0; sx < SAMPLES; sx++) {
          const x = (c + (sx + 0.5) / SAMPLES) * cw,
            y = (r + (sy + 0.5) / SAMPLES) * ch;
          if (inAny(x, y, areas.masks)) {
            masked = true;
            break;
          }
          if (!watched && inAny(x, y, areas.zones)) watched = true;
        }
      }
      out[r * cols + c] = !masked && watched ? 1 : 0;
    }
  }
  return out;
}

function fill(rgb: Uint8Array, mask: Uint8Array): Uint8Array {
  const out = new Uint8Array(rgb);
  for (let i = 0; i < mask.length; i++) if (mask[i]) out.fill(FILL, i * 3, i * 3 + 3);
  return out;
}

/** Half-resolution background images masked where their 2 × 2 block's top-left pixel is. */
function fillHalf(img: Uint8Array, mask: Uint8Array, width: number): Uint8Array {
  const hw = Math.floor(width / 2);
  const out = new Uint8Array(img);
  for (let i = 0; i < img.length / 3; i++) {
    const x = i % hw,
      y = (i - x) / hw;
    if (mask[2 * y * width + 2 * x]) out.fill(FILL, i * 3, i * 3 + 3);
  }
  return out;
}

/** The frame as members are to see it: masked pixels filled in the frame, its predecessor and its background pair. */
export function withMaskedPixels(input: FrameInput, mask: Uint8Array): FrameInput {
  const out: FrameInput = { ...input, data: fill(input.data, mask) };
  if (input.prev) out.prev = fill(input.prev, mask);
  if (input.background) {
    const bg: BackgroundImages = { ...input.background, long: fillHalf(input.background.long, mask, input.width), short: fillHalf(input.background.short, mask, input.width) };
    out.background = bg;
  }
  return out;
}

/** A camera config's masks and zones (each `{ polygon }`) as the model takes them. */
export function areasOfCamera(camera: { masks?: { polygon: Polygon }[]; zones?: { polygon: Polygon }[] }): CameraAreas {
  return { masks: (camera.masks ?? []).map((m) => m.polygon), zones: (camera.zones ?? []).map((z) => z.polygon) };
}
