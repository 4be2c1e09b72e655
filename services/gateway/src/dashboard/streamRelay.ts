/**
 * `/v1/stream/<camera>`: the full-rate camera view, on demand. The first viewer of a camera starts one
 * ffmpeg that reads the camera (RTSP over TCP) and writes MPEG-TS with MPEG-1 video, which jsmpeg
 * decodes in the page; its output goes to every viewer of that camera, and the ffmpeg stops when the
 * last one leaves. This is the one path that opens a session to a camera, and only while watched.
 *
 * Why not node-rtsp-stream (the design card's choice): 0.0.9 ignores its ffmpeg input options, so it
 * cannot ask for RTSP over TCP, it listens on a port of its own with a nested ws 7 (outside the
 * gateway's token check), and it is unmaintained. The relay it does is this small, so it lives here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { CameraConfig, Logger } from '@vigil/core';
import type { TokenAuth } from '../auth.js';
import { refuseUpgrade } from './upgrade.js';

export const STREAM_PATH_PREFIX = '/v1/stream/';

/** A viewer this far behind is cut off: a live view that lags seconds is worse than none. */
const MAX_BUFFERED_BYTES = 2 * 1024 * 1024;

export interface StreamRelayOptions {
  /** The ffmpeg to run (default: `VIGIL_FFMPEG` or `ffmpeg` on the PATH). */
  ffmpeg?: string;
  /** MPEG-1 bit rate, e.g. "1500k". */
  bitrate?: string;
}

/** ffmpeg arguments: camera in (RTSP over TCP, or a file played in real time), MPEG-TS/MPEG-1 out on stdout. */
export function relayArgs(url: string, bitrate = '1500k'): string[] {
  const input = /^rtsps?:/i.test(url) ? ['-rtsp_transport', 'tcp', '-i', url] : /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? ['-i', url] : ['-re', '-stream_loop', '-1', '-i', url];
  // MPEG-1 knows only standard frame rates (25 fits any camera), and jsmpeg wants no B-frames; a GOP of 25 lets a new viewer start within a second.
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    ...input,
    '-an',
    '-f',
    'mpegts',
    '-codec:v',
    'mpeg1video',
    '-b:v',
    bitrate,
    '-bf',
    '0',
    '-g',
    '25',
    '-r',
    '25',
    '-vf',
    "scale='min(1280,iw)':-2",
    '-',
  ];
}

class Relay {
  readonly viewers = new Set<WebSocket>();
  private readonly child: ChildProcess;
  private stderr = '';

  constructor(
    readonly camera: CameraConfig,
    ffmpeg: string,
    bitrate: string | undefined,
    log: Logger,
    onEnd: () => void,
  ) {
    // setpriv ties ffmpeg's life to the gateway's, so a killed gateway leaves no camera session open.
    const tied = existsSync('/usr/bin/setpriv');
    const args = relayArgs(camera.url, bitrate);
    this.child = tied ? spawn('/usr/bin/setpriv', ['--pdeathsig', 'KILL', '--', ffmpeg, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }) : spawn(ffmpeg, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    log.info('full-rate view started', { camera: camera.id, pid: this.child.pid });
    this.child.stdout!.on('data', (chunk: Buffer) => {
      for (const ws of this.viewers) {
        if (ws.readyState !== WebSocket.OPEN) continue;
        if (ws.bufferedAmount > MAX_BUFFERED_BYTES) ws.terminate();
        else ws.send(chunk, { binary: true });
      }
    });
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => (this.stderr = (this.stderr + d).slice(-1000)));
    this.child.on('error', (err) => log.warn('full-rate view: cannot run ffmpeg', { camera: camera.id, error: err }));
    this.child.on('close', (code, signal) => {
      log.info('full-rate view stopped', { camera: camera.id, code, signal, ...(this.stderr.trim() ? { stderr: this.stderr.trim() } : {}) });
      for (const ws of this.viewers) ws.close(1011, 'camera stream ended');
      this.viewers.clear();
      onEnd();
    });
  }

  stop(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
  }
}

export class StreamRelay {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 1024 });
  private readonly relays = new Map<string, Relay>();
  private readonly cameras: Map<string, CameraConfig>;

  constructor(
    private readonly auth: TokenAuth,
    cameras: CameraConfig[],
    private readonly log: Logger,
    private readonly opts: StreamRelayOptions = {},
  ) {
    this.cameras = new Map(cameras.map((c) => [c.id, c]));
  }

  /** Cameras with a running ffmpeg (one each, whatever the number of viewers). */
  get active(): string[] {
    return [...this.relays.keys()];
  }

  handleUpgrade(cameraId: string, req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (!this.auth.authenticate(req.headers.authorization, req.url)) {
      refuseUpgrade(socket, 401, 'missing or invalid token');
      return;
    }
    const camera = this.cameras.get(cameraId);
    if (!camera) {
      refuseUpgrade(socket, 404, `no camera ${JSON.stringify(cameraId.slice(0, 64))}`);
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.join(camera, ws));
  }

  async close(): Promise<void> {
    for (const relay of this.relays.values()) relay.stop();
    this.relays.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private join(camera: CameraConfig, ws: WebSocket): void {
    let relay = this.relays.get(camera.id);
    if (!relay) {
      const started: Relay = new Relay(camera, this.opts.ffmpeg ?? process.env.VIGIL_FFMPEG ?? 'ffmpeg', this.opts.bitrate, this.log, () => {
        if (this.relays.get(camera.id) === started) this.relays.delete(camera.id);
      });
      relay = started;
      this.relays.set(camera.id, relay);
    }
    const joined = relay;
    joined.viewers.add(ws);
    ws.on('error', () => undefined);
    ws.on('close', () => {
      joined.viewers.delete(ws);
      if (joined.viewers.size === 0 && this.relays.get(camera.id) === joined) {
        this.relays.delete(camera.id);
        joined.stop();
      }
    });
  }
}
