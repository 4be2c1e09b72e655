/** A typed client for the gateway's `/v1/live` WebSocket: subscribes, resumes after a drop with `since`, yields alert events. */
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import { liveServerMessageSchema, type AlertEvent } from '@vigil/core';

export interface LiveClientOptions {
  /** Gateway base URL, http(s):// or ws(s)://. */
  url: string;
  token: string;
  cameras?: string[];
  /** Replay events after this id on connect. */
  since?: string;
  /** Reconnect after a drop (default true), resuming after the last event seen. */
  reconnect?: boolean;
}

export interface LiveClientEvents {
  alert: [AlertEvent];
  open: [];
  close: [code: number];
  error: [Error];
}

export class LiveClient extends EventEmitter<LiveClientEvents> {
  private ws: WebSocket | undefined;
  private lastEventId: string | undefined;
  private closed = false;
  private retryMs = 250;

  constructor(private readonly opts: LiveClientOptions) {
    super();
    this.lastEventId = opts.since;
  }

  static liveUrl(base: string, token: string): string {
    const u = new URL('/v1/live', base.replace(/^http/, 'ws'));
    u.searchParams.set('token', token);
    return u.toString();
  }

  /** Resolves once connected and subscribed; rejects if the first connection is refused. */
  connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(LiveClient.liveUrl(this.opts.url, this.opts.token));
      this.ws = ws;
      let opened = false;
      ws.on('open', () => {
        opened = true;
        this.retryMs = 250;
        ws.send(JSON.stringify({ type: 'subscribe', ...(this.opts.cameras ? { cameras: this.opts.cameras } : {}), ...(this.lastEventId ? { since: this.lastEventId } : {}) }));
        this.emit('open');
        resolve();
      });
      ws.on('unexpected-response', (_req, res) => {
        const err = new Error(`gateway refused the connection: HTTP ${res.statusCode}`);
        if (!opened) reject(err);
        else this.emit('error', err);
      });
      ws.on('message', (raw) => this.onMessage(raw.toString()));
      ws.on('error', (err) => {
        if (!opened) reject(err);
      });
      ws.on('close', (code) => {
        this.emit('close', code);
        if (opened && !this.closed && this.opts.reconnect !== false) this.scheduleReconnect();
      });
    });
  }

  /** Like connect(), but keeps trying (a gateway that is still starting) until timeoutMs has passed. */
  async connectWithRetry(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        await this.connect();
        return;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 300));
      }
    }
  }

  private scheduleReconnect(): void {
    const delay = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, 5000);
    setTimeout(() => {
      if (this.closed) return;
      this.connect().catch(() => this.scheduleReconnect());
    }, delay);
  }

  private onMessage(text: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    // Checked against the wire contract: a message of another shape (a newer gateway's) is passed over.
    const parsed = liveServerMessageSchema.safeParse(msg);
    if (parsed.success && parsed.data.type === 'alert') {
      const ev: AlertEvent = parsed.data;
      this.lastEventId = ev.eventId;
      this.emit('alert', ev);
    }
  }

  close(): void {
    this.closed = true;
    this.ws?.terminate();
  }
}
