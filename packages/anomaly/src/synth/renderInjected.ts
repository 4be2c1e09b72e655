/** Renders real footage with synthetic anomalies burnt in, plus the ground-truth box of every frame:
 *  the demo's camera, the end-to-end tests' input, and (later) `vigil synth`. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { decodeFrames, encodeVideo, probeVideo } from '@vigil/video';
import { injectAnomaly } from './injectAnomaly.js';
import type { AnomalySpec, NormalisedBox } from './schedule.js';

export interface RenderInjectedOptions {
  src: string;
  /** Output video (.mp4 or .ts); the ground truth goes beside it as `<out>.json`. */
  out: string;
  /** Times are in seconds of the output video. */
  anomalies: AnomalySpec[];
  /** The source is played this many times back to back (so a model can learn from clean footage first). */
  repeat?: number;
}

export interface GroundTruth {
  src: string;
  fps: number;
  width: number;
  height: number;
  durationSeconds: number;
  anomalies: AnomalySpec[];
  /** Per frame with an anomaly present: its time and the boxes (normalised). */
  frames: { index: number; t: number; boxes: NormalisedBox[] }[];
}

/** Renders once; a later call with the same inputs returns the cached ground truth. */
export async function renderInjectedVideo(opts: RenderInjectedOptions): Promise<GroundTruth> {
  const repeat = opts.repeat ?? 1;
  const gtFile = `${opts.out}.json`;
  if (existsSync(opts.out) && existsSync(gtFile)) {
    const cached = JSON.parse(readFileSync(gtFile, 'utf8')) as GroundTruth & { repeat?: number };
    if (cached.src === opts.src && cached.repeat === repeat && JSON.stringify(cached.anomalies) === JSON.stringify(opts.anomalies)) return cached;
  }
  const info = await probeVideo(opts.src);
  const fps = info.fps;
  const frames: GroundTruth['frames'] = [];
  let index = 0;
  async function* injected(): AsyncGenerator<Uint8Array> {
    for (let pass = 0; pass < repeat; pass++) {
      for await (const f of decodeFrames(opts.src, { fps, width: info.width })) {
        const t = index / fps;
        const boxes: NormalisedBox[] = [];
        for (const spec of opts.anomalies) {
          const { box } = injectAnomaly(f.data, f.width, f.height, t, spec);
          if (box) boxes.push(box);
        }
        if (boxes.length) frames.push({ index, t, boxes });
        index++;
        yield f.data;
      }
    }
  }
  mkdirSync(dirname(opts.out), { recursive: true });
  await encodeVideo(injected(), { width: info.width, height: info.height, fps, out: opts.out });
  const gt: GroundTruth & { repeat: number } = {
    src: opts.src,
    repeat,
    fps,
    width: info.width,
    height: info.height,
    durationSeconds: index / fps,
    anomalies: opts.anomalies,
    frames,
  };
  writeFileSync(gtFile, JSON.stringify(gt));
  return gt;
}
