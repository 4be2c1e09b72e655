/**
 * A live, self-healing source for one camera: runs ffmpeg on the camera's URL, cuts its output
 * into Frames, and restarts it — with backoff — whenever it exits, errors or stalls.
 */
import type { Frame, FrameSize } from '@vigil/core';
import { createLogger } from '@vigil/core';
import { ffmpegReason, isNetworkUrl, spawnRawDecode, type RawDecode } from './ffmpeg.js';
import { FrameReassembler } from './frameReassembler.js';
import { sourceFault, type SourceFault } from './sourceFault.js';
import { ReconnectPolicy, type ReconnectPolicyOptions } from './reconnectPolicy.js';

export type CameraState = 'connecting' | 'live' | 'reconnecting' | 'stopped';

export interface CameraStateChange {
  cameraId: string;
  state: CameraState;
  reason: string;
  /** Reconnecting: the kind of fault behind `reason` (sourceFault.ts). */
  fault?: SourceFault;
  /** ms since epoch */
  at: number;
}

export interface CameraSourceOptions {
  cameraId: string;
  /** rtsp://… (pulled over TCP), any other ffmpeg URL, or a file path. */
  url: string;
  fps: number;
  /** Analysis width; the height keeps the aspect ratio. */
  width: number;
  /** Files: loop forever; otherwise the source stops at the end of the file. */
  loop?: boolean;
  /** Restart ffmpeg when no frame arrived for this long (default 10 s). */
  stallSeconds?: number;
  reconnect?: ReconnectPolicy | ReconnectPolicyOptions;
}

export interface CameraSourceEvents {
  frame: (frame: Frame) => void;
  state: (change: CameraStateChange) => void;
}

export class CameraSource {
  readonly cameraId: string;
  private readonly options: CameraSourceOptions;
  private readonly policy: ReconnectPolicy;
  private readonly log;
  private readonly listeners: { [E in keyof CameraSourceEvents]: Set<CameraSourceEvents[E]> } = {
    frame: new Set(),
    state: new Set(),
  };

  private currentState: CameraState = 'stopped';
  private decode: RawDecode | undefined;
  /** Bumped for every ffmpeg run; callbacks of an older run are ignored. */
  private attempt = 0;
  private seq = 0;
  private lastProgressAt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private size: FrameSize | undefined;
  private decoded = 0;
  private restartCount = 0;

  constructor(options: CameraSourceOptions) {
    this.options = options;
    this.cameraId = options.cameraId;
    this.policy = options.reconnect instanceof ReconnectPolicy ? options.reconnect : new ReconnectPolicy(options.reconnect);
    this.log = createLogger(`video/camera:${options.cameraId}`);
  }

  get state(): CameraState {
    return this.currentState;
  }
  /** Frames delivered since construction, across restarts. */
  get framesDecoded(): number {
    return this.decoded;
  }
  /** ffmpeg restarts after an exit, error or stall. */
  get restarts(): number {
    return this.restartCount;
  }
  /** Size of the frames delivered, once known. */
  get frameSize(): FrameSize | undefined {
    return this.size;
  }

  on<E extends keyof CameraSourceEvents>(event: E, listener: CameraSourceEvents[E]): this {
    (this.listeners[event] as Set<CameraSourceEvents[E]>).add(listener);
    return this;
  }

  off<E extends keyof CameraSourceEvents>(event: E, listener: CameraSourceEvents[E]): this {
    (this.listeners[event] as Set<CameraSourceEvents[E]>).delete(listener);
    return this;
  }

  start(): void {
    if (this.currentState !== 'stopped') return;
    this.setState('connecting', 'start');
    const stallMs = (this.options.stallSeconds ?? 10) * 1000;
    this.watchdog = setInterval(() => this.checkStall(stallMs), Math.min(1000, Math.max(100, stallMs / 4)));
    this.watchdog.unref();
    this.run();
  }

  async stop(): Promise<void> {
    if (this.currentState === 'stopped') return;
    this.attempt++;
    clearTimeout(this.retryTimer);
    clearInterval(this.watchdog);
    const decode = this.decode;
    this.decode = undefined;
    decode?.kill();
    this.setState('stopped', 'stop requested');
    if (decode) await decode.exited;
  }

  private run(): void {
    const attempt = ++this.attempt;
    const { url, fps, width, loop } = this.options;
    const file = !isNetworkUrl(url);
    const decode = spawnRawDecode(url, { fps, width, ...(file ? { realtime: true, loop: loop ?? false } : {}) });
    this.decode = decode;
    this.lastProgressAt = Date.now();
    let gotFrame = false;

    decode.size.then(
      (size) => {
        if (attempt !== this.attempt) return;
        this.size = size;
        const reassembler = new FrameReassembler(size.width * size.height * 3);
        decode.output.on('data', (chunk: Uint8Array) => {
          if (attempt !== this.attempt) return;
          for (const data of reassembler.push(chunk)) {
            if (!gotFrame) {
              gotFrame = true;
              this.policy.reset();
              this.setState('live', `${size.width}x${size.height} at ${fps} fps`);
            }
            this.lastProgressAt = Date.now();
            this.decoded++;
            this.emit('frame', {
              cameraId: this.cameraId,
              seq: this.seq++,
              capturedAt: Date.now(),
              width: size.width,
              height: size.height,
              data,
            });
          }
        });
      },
      () => undefined, // the exit handler below reports why
    );

    void decode.exited.then((err) => {
      if (attempt !== this.attempt) return;
      if (!err && file && !loop) {
        this.decode = undefined;
        clearInterval(this.watchdog);
        this.setState('stopped', 'end of file');
        return;
      }
      this.restart(err ? ffmpegReason(err) : 'stream ended');
    });
  }

  private checkStall(stallMs: number): void {
    if (!this.decode || this.currentState === 'stopped') return;
    const silent = Date.now() - this.lastProgressAt;
    if (silent > stallMs) this.restart(`stalled: no frame for ${(silent / 1000).toFixed(1)} s`);
  }

  private restart(reason: string): void {
    this.attempt++;
    this.decode?.kill();
    this.decode = undefined;
    this.restartCount++;
    const delay = this.policy.nextDelayMs();
    this.setState('reconnecting', `${reason}; retry in ${delay} ms`);
    this.retryTimer = setTimeout(() => this.run(), delay);
  }

  private setState(state: CameraState, reason: string): void {
    this.currentState = state;
    const level = state === 'reconnecting' ? 'warn' : 'info';
    this.log[level](state, { reason });
    this.emit('state', { cameraId: this.cameraId, state, reason, ...(state === 'reconnecting' ? { fault: sourceFault(reason) } : {}), at: Date.now() });
  }

  /** A listener's exception is logged, never thrown into ffmpeg's callbacks or the other listeners. */
  private emit<E extends keyof CameraSourceEvents>(event: E, payload: Parameters<CameraSourceEvents[E]>[0]): void {
    for (const listener of this.listeners[event]) {
      try {
        (listener as (p: typeof payload) => void)(payload);
      } catch (err) {
        this.log.error(`${event} listener threw`, { error: err });
      }
    }
  }
}
