/**
 * A real RTSP server on this machine for tests and the demo: GStreamer's RTSP server
 * (rtsp/serve_rtsp.py) fed, per mount, by an ffmpeg that streams a clip in MPEG-TS over local UDP.
 * The feeders outlive kill()/restart() of the server, as a camera's encoder outlives its RTSP daemon.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdirSync, existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StreamError, createLogger } from '@vigil/core';
import { feedUdp, transcodeForStreaming, type ProcessHandle } from './ffmpeg.js';
import { killOnExit } from './exitCleanup.js';

const log = createLogger('video/rtsp-server');
const SERVER_SCRIPT = fileURLToPath(new URL('../rtsp/serve_rtsp.py', import.meta.url));
// The distribution python3 has the GStreamer bindings (gi); a virtualenv's python may not.
const PYTHON = process.env.VIGIL_RTSP_PYTHON ?? '/usr/bin/python3';

export interface RtspMount {
  /** Mount path without leading slash, e.g. "cam1". */
  path: string;
  file: string;
  loop?: boolean;
}

export interface LocalRtspServerOptions {
  /** TCP port to listen on; a free one when omitted. */
  port?: number;
  host?: string;
  mounts: RtspMount[];
  /** Re-encode each clip once with a short GOP (cached); default true. */
  prepare?: boolean;
}

const prepared = new Map<string, Promise<string>>();

/**
 * Re-encodes a clip once to H.264 MPEG-TS with a keyframe every 12 frames, so feeding it with
 * `-c copy` costs almost nothing and late joiners get a picture quickly. Cached by path, size and mtime.
 */
export function prepareStreamFile(src: string, out?: string): Promise<string> {
  const abs = resolve(src);
  if (!existsSync(abs)) return Promise.reject(new StreamError(`video file not found: ${src}`));
  const st = statSync(abs);
  const key = `${abs}:${st.size}:${st.mtimeMs}`;
  const target = out ?? join(tmpdir(), 'vigil-rtsp', `${basename(abs).replace(/\.[^.]+$/, '')}-${createHash('sha1').update(key).digest('hex').slice(0, 12)}.ts`);
  const cacheKey = `${key}->${target}`;
  let job = prepared.get(cacheKey);
  if (!job) {
    job = (async () => {
      if (existsSync(target) && statSync(target).mtimeMs >= st.mtimeMs) return target;
      mkdirSync(dirname(target), { recursive: true });
      // Write aside and rename, so parallel test processes never read a half-written file.
      const partial = `${target}.${process.pid}.partial`;
      try {
        await transcodeForStreaming(abs, partial);
        renameSync(partial, target);
      } catch (err) {
        rmSync(partial, { force: true });
        throw new StreamError(`cannot prepare ${src} for streaming: ${(err as Error).message}`);
      }
      return target;
    })();
    job.catch(() => prepared.delete(cacheKey));
    prepared.set(cacheKey, job);
  }
  return job;
}

function freeTcpPort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => res(port));
    });
  });
}

function freeUdpPort(): Promise<number> {
  return new Promise((res, rej) => {
    const sock = createSocket('udp4');
    sock.once('error', rej);
    sock.bind(0, '127.0.0.1', () => {
      const port = sock.address().port;
      sock.close(() => res(port));
    });
  });
}

function acceptsConnections(host: string, port: number): Promise<boolean> {
  return new Promise((res) => {
    const sock = connect({ host, port });
    sock.setTimeout(500);
    sock.once('connect', () => {
      sock.destroy();
      res(true);
    });
    sock.once('timeout', () => {
      sock.destroy();
      res(false);
    });
    sock.once('error', () => res(false));
  });
}

function exitOf(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((res) => child.once('exit', () => res()));
}

interface MountFeed extends RtspMount {
  udpPort: number;
  feedFile: string;
  feeder?: ProcessHandle;
}

export class LocalRtspServer {
  private server: ChildProcess | undefined;
  private unregisterServer: (() => void) | undefined;
  private stopped = false;

  private constructor(
    readonly host: string,
    readonly port: number,
    private readonly mounts: MountFeed[],
  ) {}

  static async start(options: LocalRtspServerOptions): Promise<LocalRtspServer> {
    if (options.mounts.length === 0) throw new StreamError('LocalRtspServer needs at least one mount');
    const host = options.host ?? '127.0.0.1';
    const port = options.port ?? (await freeTcpPort());
    const mounts: MountFeed[] = [];
    for (const m of options.mounts) {
      const feedFile = options.prepare === false ? m.file : await prepareStreamFile(m.file);
      mounts.push({ ...m, path: m.path.replace(/^\/+/, ''), feedFile, udpPort: await freeUdpPort() });
    }
    const server = new LocalRtspServer(host, port, mounts);
    try {
      await server.launchServer();
      for (const m of mounts) server.startFeeder(m);
    } catch (err) {
      await server.stop();
      throw err;
    }
    return server;
  }

  urlFor(path: string): string {
    return `rtsp://${this.host}:${this.port}/${path.replace(/^\/+/, '')}`;
  }

  /** Ends the RTSP server process abruptly (SIGKILL), leaving the feeders running: an outage for reconnect tests. */
  async kill(): Promise<void> {
    const child = this.server;
    if (!child) return;
    this.server = undefined;
    this.unregisterServer?.();
    child.kill('SIGKILL');
    await exitOf(child);
  }

  /** Starts the RTSP server again on the same port (after kill(), or to bounce it). */
  async restart(): Promise<void> {
    await this.kill();
    await this.launchServer();
  }

  /** Freezes the server (SIGSTOP): connections stay open but nothing flows — a stalled camera. */
  pause(): void {
    this.server?.kill('SIGSTOP');
  }

  resume(): void {
    this.server?.kill('SIGCONT');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const feeders = this.mounts.map((m) => m.feeder).filter((f): f is ProcessHandle => !!f);
    for (const f of feeders) f.kill();
    this.resume();
    await Promise.all([this.kill(), ...feeders.map((f) => f.exited)]);
  }

  private startFeeder(m: MountFeed): void {
    const feeder = feedUdp(m.feedFile, m.udpPort, m.loop ?? true);
    m.feeder = feeder;
    void feeder.exited.then((err) => {
      if (!this.stopped && err) log.warn('feeder exited', { mount: m.path, error: err.message });
    });
  }

  private async launchServer(): Promise<void> {
    const args = [SERVER_SCRIPT, '--host', this.host, '--port', String(this.port)];
    for (const m of this.mounts) args.push('--mount', m.path, '--udp-port', String(m.udpPort));
    const child = spawn(PYTHON, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.server = child;
    this.unregisterServer = killOnExit(() => child.kill('SIGKILL'));
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      stderr = (stderr + d).slice(-2000);
    });
    child.stdout?.resume();
    const spawnError = new Promise<Error>((res) => child.once('error', res));
    const exited = exitOf(child);
    void exited.then(() => {
      if (this.server === child) log.warn('RTSP server exited', { port: this.port, stderr: stderr.trim() });
    });

    // Ready once the port accepts TCP connections (GStreamer listens only after the mounts exist).
    const deadline = Date.now() + 15_000;
    for (;;) {
      const outcome = await Promise.race([
        spawnError.then((e) => `cannot run ${PYTHON}: ${e.message}`),
        exited.then(() => `RTSP server exited during start: ${stderr.trim() || 'no output'}`),
        new Promise<string | null>((res) => setTimeout(() => res(null), 100)),
      ]);
      if (outcome) throw new StreamError(outcome);
      if (await acceptsConnections(this.host, this.port)) break;
      if (Date.now() > deadline) throw new StreamError(`RTSP server did not listen on ${this.host}:${this.port} within 15 s`);
    }
    log.debug('RTSP server ready', { port: this.port });
  }
}
