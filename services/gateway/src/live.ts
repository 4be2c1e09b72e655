/** The `/v1/live` WebSocket: token check on upgrade, hello, subscriptions, fan-out, heartbeats. */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger, Role } from '@vigil/core';
import type { TokenAuth } from './auth.js';
import type { StreamedAlert } from './alertStream.js';
import { LiveSubscriber, type LiveSubscriberLimits } from './liveSubscriber.js';
import { parseClientMessage } from './liveMessages.js';
import type { GatewayMetrics } from './metrics.js';

export const LIVE_PATH = '/v1/live';

export interface LiveHubOptions {
  auth: TokenAuth;
  metrics: GatewayMetrics;
  log: Logger;
  heartbeatSeconds: number;
  /** Replays the alert stream after an id, for `subscribe` with `since`. */
  replay: (since: string) => AsyncIterable<StreamedAlert>;
  /** The configured camera ids: a subscription to another is refused with an error that names it. */
  cameras?: readonly string[];
  limits?: Partial<LiveSubscriberLimits>;
}

const DEFAULT_LIMITS: LiveSubscriberLimits = { maxBufferedBytes: 4 * 1024 * 1024, maxPendingEvents: 10_000 };

function refuse(socket: Duplex, status: number, reason: string, error: string): void {
  const body = JSON.stringify({ error });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `${status === 401 ? 'WWW-Authenticate: Bearer\r\n' : ''}Connection: close\r\n\r\n${body}`,
  );
}

/** Handles a WebSocket upgrade for a path that is not `/v1/live`; false when the path is not its own. */
export type OtherUpgrades = (path: string, req: IncomingMessage, socket: Duplex, head: Buffer) => boolean;

export class LiveHub {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  private readonly clients = new Set<LiveSubscriber>();
  private readonly limits: LiveSubscriberLimits;
  private heartbeat: NodeJS.Timeout | undefined;
  private others: OtherUpgrades | undefined;

  constructor(private readonly opts: LiveHubOptions) {
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
  }

  /**
   * Takes over HTTP upgrades on `server`; only `/v1/live` with a known token is accepted here. Other
   * paths go to `others` (the dashboard's preview and stream sockets), which returns false when not its own.
   */
  attach(server: Server, others?: OtherUpgrades): void {
    this.others = others;
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket, head));
    this.heartbeat = setInterval(() => this.beat(), this.opts.heartbeatSeconds * 1000);
  }

  /** Fans one event from the shared stream reader out to every client whose filter matches. */
  broadcast(alert: StreamedAlert): void {
    for (const client of this.clients) client.offer(alert);
  }

  get size(): number {
    return this.clients.size;
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    for (const client of this.clients) client.ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    let path: string;
    try {
      path = new URL(req.url ?? '/', 'http://localhost').pathname;
    } catch {
      refuse(socket, 400, 'Bad Request', 'malformed URL');
      return;
    }
    if (path !== LIVE_PATH) {
      if (this.others?.(path, req, socket, head)) return;
      refuse(socket, 404, 'Not Found', `no WebSocket at ${path}`);
      return;
    }
    const role = this.opts.auth.authenticate(req.headers.authorization, req.url);
    if (!role) {
      refuse(socket, 401, 'Unauthorized', 'missing or invalid token');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, role));
  }

  private onConnection(ws: WebSocket, role: Role): void {
    const { metrics, log } = this.opts;
    const client = new LiveSubscriber(ws, role, this.limits, {
      pushed: (kind) => metrics.alertEventsPushed.inc({ event: kind }),
      dropped: (reason) => {
        metrics.wsDropped.inc({ reason });
        log.warn('dropping live client', { reason, role });
      },
    });
    this.clients.add(client);
    metrics.wsClients.set(this.clients.size);
    ws.on('pong', () => (client.alive = true));
    ws.on('error', (err) => log.debug('live client socket error', { error: err }));
    ws.on('close', () => {
      this.clients.delete(client);
      metrics.wsClients.set(this.clients.size);
    });
    ws.on('message', (data, isBinary) => this.onMessage(client, isBinary ? null : data.toString()));
    client.sendJson({ type: 'hello', role, serverTime: new Date().toISOString() });
  }

  private onMessage(client: LiveSubscriber, text: string | null): void {
    const parsed = text === null ? { ok: false as const, error: 'binary messages are not supported' } : parseClientMessage(text);
    if (!parsed.ok) {
      client.sendJson({ type: 'error', message: parsed.error });
      return;
    }
    const { cameras, since } = parsed.message;
    const unknown = this.opts.cameras && cameras ? cameras.filter((c) => !this.opts.cameras!.includes(c)) : [];
    if (unknown.length > 0) {
      client.sendJson({
        type: 'error',
        message: `subscribe: unknown camera${unknown.length > 1 ? 's' : ''} ${unknown.map((c) => JSON.stringify(c)).join(', ')}; cameras are ${this.opts.cameras!.join(', ')}`,
      });
      return;
    }
    client.enqueue(async () => {
      try {
        const replayed = await client.subscribe(cameras, since, this.opts.replay);
        client.sendJson({ type: 'subscribed', cameras: cameras && cameras.length > 0 ? cameras : null, since, replayed });
      } catch (err) {
        this.opts.log.warn('replay failed', { error: err });
        client.sendJson({ type: 'error', message: 'replay failed: alert stream unavailable' });
      }
    });
  }

  private beat(): void {
    const serverTime = new Date().toISOString();
    for (const client of this.clients) {
      if (!client.alive) {
        client.drop('heartbeat_timeout');
        continue;
      }
      client.alive = false;
      client.ws.ping();
      client.sendJson({ type: 'heartbeat', serverTime });
    }
  }
}
