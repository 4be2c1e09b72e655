/**
 * `/v1/preview`: the dashboard's camera wall. A browser sends `{"type":"watch","cameras":[…]}` and gets,
 * for those cameras, each preview frame ingest publishes (binary, forwarded unchanged: see
 * services/ingest/src/previewPublisher.ts) and each frame's score with its regions (JSON
 * `{"type":"score","camera":…,…ScorePoint}`, read from the cameras' score timelines). Nothing here
 * touches a camera: the gateway subscribes to a camera's preview channel only while someone watches it.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Redis } from 'ioredis';
import { WebSocket, WebSocketServer } from 'ws';
import { previewClientMessageSchema, type Logger, type RedisKeys } from '@vigil/core';
import type { TokenAuth } from '../auth.js';
import { parseScoreEntry } from './scoreTimeline.js';
import { refuseUpgrade } from './upgrade.js';

export const PREVIEW_PATH = '/v1/preview';

/** A viewer whose socket holds more than this gets no new preview frames until it drains (scores still go). */
const MAX_BUFFERED_FRAMES_BYTES = 512 * 1024;
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

interface Viewer {
  ws: WebSocket;
  cameras: Set<string>;
  /** Answered the last ping (a viewer whose machine slept or whose network vanished never does). */
  alive: boolean;
}

export interface PreviewHubDeps {
  auth: TokenAuth;
  keys: RedisKeys;
  cameraIds: string[];
  /** Two connections of its own: one in subscriber mode, one for blocking stream reads. Closed by close(). */
  subscriber: Redis;
  reader: Redis;
  log: Logger;
  /** Ping interval; a viewer that has not answered the previous ping is dropped. */
  heartbeatSeconds: number;
}

export class PreviewHub {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 });
  private readonly viewers = new Set<Viewer>();
  private readonly channelToCamera = new Map<string, string>();
  private readonly subscribed = new Set<string>();
  /** Per watched camera: the last score-timeline entry id sent. */
  private readonly scoreIds = new Map<string, string>();
  private readonly known: Set<string>;
  private closed = false;
  private wake: (() => void) | undefined;
  private readonly loop: Promise<void>;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(private readonly deps: PreviewHubDeps) {
    this.known = new Set(deps.cameraIds);
    for (const id of deps.cameraIds) this.channelToCamera.set(deps.keys.previewChannel(id), id);
    deps.subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) => this.onFrame(channel.toString(), message));
    deps.subscriber.on('error', () => undefined); // ioredis reconnects and re-subscribes by itself
    deps.reader.on('error', () => undefined);
    this.loop = this.readScores();
    this.heartbeat = setInterval(() => this.beat(), deps.heartbeatSeconds * 1000);
    this.heartbeat.unref();
  }

  /** Drops viewers that did not answer the last ping, and pings the rest. */
  private beat(): void {
    for (const v of this.viewers) {
      if (!v.alive) {
        this.deps.log.warn('dropping preview viewer', { reason: 'heartbeat_timeout' });
        v.ws.terminate();
        continue;
      }
      v.alive = false;
      v.ws.ping();
    }
  }

  get size(): number {
    return this.viewers.size;
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (!this.deps.auth.authenticate(req.headers.authorization, req.url)) {
      refuseUpgrade(socket, 401, 'missing or invalid token');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws));
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.heartbeat);
    this.wake?.();
    for (const v of this.viewers) v.ws.terminate();
    this.deps.reader.disconnect();
    await this.loop;
    this.deps.subscriber.disconnect();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private onConnection(ws: WebSocket): void {
    const viewer: Viewer = { ws, cameras: new Set(), alive: true };
    this.viewers.add(viewer);
    ws.on('error', () => undefined);
    ws.on('pong', () => (viewer.alive = true));
    ws.on('close', () => {
      this.viewers.delete(viewer);
      this.syncWatched();
    });
    ws.on('message', (data, isBinary) => this.onMessage(viewer, isBinary ? null : data.toString()));
    this.send(viewer, JSON.stringify({ type: 'hello', cameras: [...this.known] }));
  }

  private onMessage(viewer: Viewer, text: string | null): void {
    let body: unknown;
    try {
      body = text === null ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    const parsed = previewClientMessageSchema.safeParse(body);
    if (!parsed.success) {
      this.send(viewer, JSON.stringify({ type: 'error', message: 'expected {"type":"watch","cameras":["<camera id>", …]}' }));
      return;
    }
    const { cameras } = parsed.data;
    const unknown = cameras.filter((c) => !this.known.has(c));
    if (unknown.length > 0) {
      this.send(viewer, JSON.stringify({ type: 'error', message: `unknown camera${unknown.length > 1 ? 's' : ''} ${unknown.slice(0, 5).join(', ')}` }));
      return;
    }
    viewer.cameras = new Set(cameras);
    this.syncWatched();
    this.send(viewer, JSON.stringify({ type: 'watching', cameras }));
  }

  /** Subscribes to the preview channels and score timelines of exactly the cameras someone watches. */
  private syncWatched(): void {
    if (this.closed) return;
    const wanted = new Set<string>();
    for (const v of this.viewers) for (const c of v.cameras) wanted.add(c);
    const add = [...wanted].filter((c) => !this.subscribed.has(c));
    const remove = [...this.subscribed].filter((c) => !wanted.has(c));
    for (const c of add) {
      this.subscribed.add(c);
      // Scores from now on; the timeline route serves the past.
      this.scoreIds.set(c, `${Date.now()}-0`);
    }
    for (const c of remove) {
      this.subscribed.delete(c);
      this.scoreIds.delete(c);
    }
    const { subscriber, keys, log } = this.deps;
    if (add.length) subscriber.subscribe(...add.map((c) => keys.previewChannel(c))).catch((err: unknown) => log.warn('preview subscribe failed', { error: err }));
    if (remove.length) subscriber.unsubscribe(...remove.map((c) => keys.previewChannel(c))).catch(() => undefined);
    if (add.length) this.wake?.();
  }

  private onFrame(channel: string, message: Buffer): void {
    const camera = this.channelToCamera.get(channel);
    if (!camera) return;
    for (const v of this.viewers) {
      if (!v.cameras.has(camera) || v.ws.readyState !== WebSocket.OPEN) continue;
      // A slow viewer skips frames rather than piling them up; the next one replaces them anyway.
      if (v.ws.bufferedAmount > MAX_BUFFERED_FRAMES_BYTES) continue;
      v.ws.send(message, { binary: true });
    }
  }

  private send(viewer: Viewer, text: string): void {
    if (viewer.ws.readyState !== WebSocket.OPEN) return;
    if (viewer.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      viewer.ws.terminate();
      return;
    }
    viewer.ws.send(text);
  }

  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** One blocking XREAD over the watched cameras' score timelines; idle while nobody watches. */
  private async readScores(): Promise<void> {
    const { reader, keys, log } = this.deps;
    let failing = false;
    while (!this.closed) {
      const cameras = [...this.scoreIds.keys()];
      if (cameras.length === 0) {
        await this.idle(5000);
        continue;
      }
      try {
        const res = (await reader.xread('COUNT', 200, 'BLOCK', 1000, 'STREAMS', ...cameras.map((c) => keys.scoreTimeline(c)), ...cameras.map((c) => this.scoreIds.get(c)!))) as
          | [string, [string, string[]][]][]
          | null;
        failing = false;
        for (const [key, entries] of res ?? []) {
          const camera = cameras.find((c) => keys.scoreTimeline(c) === key);
          if (!camera || !this.scoreIds.has(camera)) continue;
          for (const [id, fields] of entries) {
            this.scoreIds.set(camera, id);
            const point = parseScoreEntry(fields);
            if (!point) continue;
            const text = JSON.stringify({ type: 'score', camera, ...point });
            for (const v of this.viewers) if (v.cameras.has(camera)) this.send(v, text);
          }
        }
      } catch (err) {
        if (this.closed) return;
        if (!failing) log.warn('score timeline read failed; retrying', { error: err });
        failing = true;
        await this.idle(1000);
      }
    }
  }
}
