/**
 * The browser's `/v1/live` client (native WebSocket): subscribes, reconnects with backoff after a drop
 * (a gateway restart), and resumes with `since` = the last event seen, so missed alerts are replayed.
 */
import type { AlertEvent, Role } from '../types.js';

export type LiveStatus = 'connecting' | 'live' | 'reconnecting';

export interface LiveHandlers {
  alert(ev: AlertEvent, replayed: boolean): void;
  status(status: LiveStatus): void;
  hello(role: Role): void;
  /** After a reconnect: the replay is done (the page may refresh what it got by HTTP). */
  resumed(replayed: number): void;
  refused(message: string): void;
}

export class LiveConnection {
  private ws: WebSocket | undefined;
  private lastEventId: string | undefined;
  private retryMs = 250;
  private closed = false;
  private everOpened = false;
  private replaying = false;
  private timer: number | undefined;

  constructor(
    private readonly url: string,
    private readonly handlers: LiveHandlers,
  ) {}

  get since(): string | undefined {
    return this.lastEventId;
  }

  connect(): void {
    this.handlers.status(this.everOpened ? 'reconnecting' : 'connecting');
    const ws = new WebSocket(this.url);
    this.ws = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      this.retryMs = 250;
      this.replaying = this.lastEventId !== undefined;
      ws.send(JSON.stringify({ type: 'subscribe', ...(this.lastEventId ? { since: this.lastEventId } : {}) }));
    };
    ws.onmessage = (m) => this.onMessage(String(m.data));
    ws.onclose = (e) => {
      if (this.ws !== ws || this.closed) return;
      // Refused at the door (bad token) looks like a close before open with code 1006; the page checks the token by HTTP first.
      if (!opened && !this.everOpened && e.code === 1006) this.handlers.refused('the gateway refused the live connection');
      this.handlers.status('reconnecting');
      this.timer = window.setTimeout(() => this.connect(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 3000);
    };
  }

  close(): void {
    this.closed = true;
    window.clearTimeout(this.timer);
    this.ws?.close();
  }

  private onMessage(text: string): void {
    let msg: { type?: string; role?: Role; replayed?: number; eventId?: string; alert?: AlertEvent['alert'] };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      return;
    }
    if (msg.type === 'hello' && msg.role) this.handlers.hello(msg.role);
    else if (msg.type === 'subscribed') {
      const wasResume = this.everOpened;
      this.everOpened = true;
      this.replaying = false;
      this.handlers.status('live');
      if (wasResume) this.handlers.resumed(msg.replayed ?? 0);
    } else if (msg.type === 'alert' && msg.eventId && msg.alert) {
      this.lastEventId = msg.eventId;
      this.handlers.alert(msg as unknown as AlertEvent, this.replaying);
    }
  }
}
