/** Decodes a file (or URL) to raw rgb24 frames as fast as ffmpeg can: for training, review, benchmarks. */
import { existsSync } from 'node:fs';
import { StreamError } from '@vigil/core';
import { ffmpegReason, isNetworkUrl, spawnRawDecode } from './ffmpeg.js';
import { FrameReassembler } from './frameReassembler.js';

export interface DecodeOptions {
  fps: number;
  width: number;
  maxFrames?: number;
  startSeconds?: number;
}

export interface DecodedFrame {
  /** Packed rgb24, `width × height × 3` bytes; owned by the caller. */
  data: Uint8Array;
  width: number;
  height: number;
  /** 0-based index among the decoded (fps-resampled) frames. */
  index: number;
  /** Position in the source video, in seconds. */
  timeSeconds: number;
}

/** Yields every frame to the end of the file; breaking out of the loop stops ffmpeg. */
export async function* decodeFrames(url: string, options: DecodeOptions): AsyncGenerator<DecodedFrame> {
  if (!isNetworkUrl(url) && !existsSync(url)) throw new StreamError(`video file not found: ${url}`);
  const start = options.startSeconds ?? 0;
  const decode = spawnRawDecode(url, {
    fps: options.fps,
    width: options.width,
    ...(options.maxFrames !== undefined ? { maxFrames: options.maxFrames } : {}),
    ...(start ? { startSeconds: start } : {}),
  });
  try {
    const size = await decode.size.catch((err: unknown) => {
      throw new StreamError(`cannot decode ${url}: ${ffmpegReason(err)}`);
    });
    const reassembler = new FrameReassembler(size.width * size.height * 3);
    let index = 0;
    for await (const chunk of decode.output) {
      for (const data of reassembler.push(chunk as Uint8Array)) {
        yield { data, width: size.width, height: size.height, index, timeSeconds: start + index / options.fps };
        index++;
      }
    }
    const err = await decode.exited;
    if (err) throw new StreamError(`decoding ${url} failed after ${index} frames: ${ffmpegReason(err)}`);
  } finally {
    decode.kill();
  }
}
