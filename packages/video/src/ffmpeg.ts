/**
 * The one door to ffmpeg: every decode, encode, probe and feed in vigil goes through here, so the
 * archived fluent-ffmpeg wrapper can be replaced by editing this file alone.
 */
import ffmpeg from 'fluent-ffmpeg';
import { accessSync, constants } from 'node:fs';
import { PassThrough, Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { StreamError, type FrameSize } from '@vigil/core';
import { killOnExit } from './exitCleanup.js';

export interface RawDecodeOptions {
  /** Output frames per second (ffmpeg's fps filter drops or repeats frames to match). */
  fps: number;
  /** Analysis width; height follows the aspect ratio, rounded to even. */
  width: number;
  /** Files only: read at native speed (-re) so a file behaves like a camera. */
  realtime?: boolean;
  /** Files only: loop forever (-stream_loop -1). */
  loop?: boolean;
  startSeconds?: number;
  maxFrames?: number;
  /** Trim ffmpeg's input buffering; defaults to true for network URLs. */
  lowLatency?: boolean;
}

/** A running ffmpeg that writes packed rgb24 frames to `output` in chunks of any size. */
export interface RawDecode {
  /** Output frame size, read from ffmpeg's own report of its output stream; rejects if ffmpeg exits first. */
  readonly size: Promise<FrameSize>;
  readonly output: Readable;
  /** Resolves when ffmpeg has exited: null on a clean end, the error otherwise. Never rejects. */
  readonly exited: Promise<Error | null>;
  /** Ends the process at once (SIGKILL); safe to call more than once, or after it exited. */
  kill(): void;
}

export interface ProcessHandle {
  readonly exited: Promise<Error | null>;
  kill(): void;
}

export function isNetworkUrl(url: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !/^file:/i.test(url);
}

/** ffmpeg prints "Output #0 … Stream #0:0: Video: rawvideo (…), rgb24(…), 320x176, …" before writing frames. */
const OUTPUT_SECTION = /^Output #0\b/;
const OUTPUT_VIDEO_SIZE = /Stream #\d+:\d+.*Video: rawvideo.*?, (\d+)x(\d+)\b/;

type Command = ReturnType<typeof ffmpeg>;

/** Linux: start every ffmpeg through a wrapper that ties its life to ours (see bin/ffmpeg-tied.sh). */
function tieFfmpegToThisProcess(): void {
  if (process.platform !== 'linux' || process.env.FFMPEG_PATH) return;
  const wrapper = fileURLToPath(new URL('../bin/ffmpeg-tied.sh', import.meta.url));
  try {
    accessSync(wrapper, constants.X_OK);
    ffmpeg.setFfmpegPath(wrapper);
  } catch {
    // Not executable (e.g. lost its mode bit): plain ffmpeg, cleaned up by the exit hook only.
  }
}
tieFfmpegToThisProcess();

/** Runs a command with exit bookkeeping shared by every ffmpeg we start. */
function launch(command: Command, start: (c: Command) => void): ProcessHandle {
  let killed = false;
  let running = false;
  const unregister = killOnExit(() => {
    if (running) command.kill('SIGKILL');
  });
  const exited = new Promise<Error | null>((resolve) => {
    command.on('start', () => {
      running = true;
      // kill() may have come while fluent-ffmpeg was still checking capabilities, before the spawn.
      if (killed) command.kill('SIGKILL');
    });
    command.on('end', () => {
      running = false;
      unregister();
      resolve(null);
    });
    command.on('error', (err: Error) => {
      running = false;
      unregister();
      resolve(err);
    });
  });
  start(command);
  return {
    exited,
    kill() {
      killed = true;
      if (running) command.kill('SIGKILL');
    },
  };
}

export function spawnRawDecode(url: string, options: RawDecodeOptions): RawDecode {
  const network = isNetworkUrl(url);
  const input: string[] = ['-hide_banner', '-nostats'];
  if (/^rtsps?:/i.test(url)) input.push('-rtsp_transport', 'tcp', '-timeout', '10000000');
  if (options.lowLatency ?? network) {
    // Not -fflags nobuffer: it discards the packets read while probing, so the first keyframe is lost
    // and the picture waits a whole GOP longer. A small probe is enough when the SDP carries SPS/PPS.
    input.push('-flags', 'low_delay', '-probesize', '65536', '-analyzeduration', '250000');
  }
  if (!network) {
    if (options.realtime) input.push('-re');
    if (options.loop) input.push('-stream_loop', '-1');
  }
  if (options.startSeconds) input.push('-ss', String(options.startSeconds));

  const output = ['-an', '-sn', '-dn', '-vf', `fps=${options.fps},scale=${options.width}:-2`, '-pix_fmt', 'rgb24'];
  if (options.maxFrames !== undefined) output.push('-frames:v', String(options.maxFrames));

  const sink = new PassThrough({
    // Four analysis frames of headroom before backpressure reaches ffmpeg.
    highWaterMark: Math.max(1 << 16, options.width * options.width * 3 * 4),
    // fluent-ffmpeg kills ffmpeg 20 ms after its output stream emits 'close', which would race a clean exit.
    emitClose: false,
    autoDestroy: false,
  });

  let resolveSize!: (s: FrameSize) => void;
  let rejectSize!: (e: Error) => void;
  const size = new Promise<FrameSize>((res, rej) => {
    resolveSize = res;
    rejectSize = rej;
  });
  size.catch(() => undefined); // consumers that never ask for the size must not see an unhandled rejection

  const command = ffmpeg(url).inputOptions(input).outputOptions(output).format('rawvideo');
  let inOutputSection = false;
  let sizeKnown = false;
  command.on('stderr', (line: string) => {
    if (sizeKnown) return;
    if (OUTPUT_SECTION.test(line)) inOutputSection = true;
    const m = inOutputSection ? OUTPUT_VIDEO_SIZE.exec(line) : null;
    if (m) {
      sizeKnown = true;
      resolveSize({ width: Number(m[1]), height: Number(m[2]) });
    }
  });

  const handle = launch(command, (c) => c.pipe(sink, { end: true }));
  void handle.exited.then((err) => {
    if (!sizeKnown) rejectSize(err ?? new Error('ffmpeg produced no video stream'));
    // On SIGKILL stdout may never end; end the sink so readers are released.
    if (!sink.writableEnded) sink.end();
  });
  return { size, output: sink, exited: handle.exited, kill: handle.kill };
}

export interface EncodeVideoOptions {
  width: number;
  height: number;
  fps: number;
  /** Output path; `.ts` writes MPEG-TS, anything else MP4. */
  out: string;
}

/** Encodes packed rgb24 frames to H.264 (yuv420p, a keyframe every second). */
export async function encodeVideo(frames: AsyncIterable<Uint8Array>, options: EncodeVideoOptions): Promise<void> {
  const { width, height, fps, out } = options;
  const frameBytes = width * height * 3;
  async function* checked(): AsyncGenerator<Uint8Array> {
    let n = 0;
    for await (const f of frames) {
      if (f.length !== frameBytes) throw new Error(`frame ${n} has ${f.length} bytes, expected ${frameBytes} for ${width}x${height} rgb24`);
      n++;
      yield f;
    }
  }
  const ts = out.toLowerCase().endsWith('.ts');
  const gop = Math.max(1, Math.round(fps));
  const command = ffmpeg(Readable.from(checked()))
    .inputFormat('rawvideo')
    .inputOptions(['-hide_banner', '-pix_fmt', 'rgb24', '-s', `${width}x${height}`, '-framerate', String(fps)])
    .outputOptions(['-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-g', String(gop)])
    .outputOptions(ts ? [] : ['-movflags', '+faststart'])
    .format(ts ? 'mpegts' : 'mp4')
    .output(out);
  const err = await launch(command, (c) => c.run()).exited;
  if (err) throw err;
}

/**
 * Re-encodes a clip once to H.264 in MPEG-TS with a short GOP, so that copying it into a live
 * RTSP feed is cheap and a client joining at any moment waits at most half a second for a keyframe.
 */
export async function transcodeForStreaming(src: string, out: string, gop = 12): Promise<void> {
  const command = ffmpeg(src)
    .inputOptions(['-hide_banner'])
    .outputOptions(['-an', '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency'])
    .outputOptions(['-g', String(gop), '-keyint_min', String(gop), '-sc_threshold', '0', '-pix_fmt', 'yuv420p'])
    .format('mpegts')
    .output(out);
  const err = await launch(command, (c) => c.run()).exited;
  if (err) throw err;
}

/** Streams an H.264 MPEG-TS file, paced at native speed, to a local UDP port without re-encoding. */
export function feedUdp(file: string, udpPort: number, loop: boolean): ProcessHandle {
  const command = ffmpeg(file)
    .inputOptions(['-hide_banner', '-nostats', '-re', ...(loop ? ['-stream_loop', '-1'] : [])])
    .outputOptions(['-c', 'copy'])
    .format('mpegts')
    .output(`udp://127.0.0.1:${udpPort}?pkt_size=1316`);
  return launch(command, (c) => c.run());
}

export interface VideoInfo {
  width: number;
  height: number;
  fps: number;
  /** Frame count when the container states it. */
  frames?: number;
  durationSeconds: number;
}

function parseRate(rate: string | undefined): number {
  if (!rate) return 0;
  const [num, den] = rate.split('/').map(Number);
  if (num === undefined || !Number.isFinite(num)) return 0;
  return den ? num / den : num;
}

function parseNumber(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

/** Reads a video's size, rate and length with ffprobe; a StreamError names the file when it cannot. */
export function probeVideo(path: string): Promise<VideoInfo> {
  return new Promise((resolve, reject) => {
    ffmpeg.ffprobe(path, (err: unknown, data) => {
      if (err) return reject(new StreamError(`cannot probe ${path}: ${ffmpegReason(err)}`));
      const video = data.streams.find((s) => s.codec_type === 'video');
      if (!video?.width || !video.height) return reject(new StreamError(`${path} has no video stream`));
      const fps = parseRate(video.avg_frame_rate) || parseRate(video.r_frame_rate);
      const frames = parseNumber(video.nb_frames);
      resolve({
        width: video.width,
        height: video.height,
        fps,
        ...(frames !== undefined ? { frames } : {}),
        durationSeconds: parseNumber(video.duration) ?? parseNumber(data.format.duration) ?? 0,
      });
    });
  });
}

/** The useful last line of an ffmpeg/ffprobe failure, without the wrapper's "exited with code N" prefix. */
export function ffmpegReason(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  const lines = msg
    .split('\n')
    .map((l) => l.replace(/^ffmpeg exited with code \d+: /, '').trim())
    .filter((l) => l && !/^Conversion failed!?$/.test(l));
  return lines[lines.length - 1] ?? msg;
}
