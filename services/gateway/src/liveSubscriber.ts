/** One `/v1/live` connection: its camera filter, its replay, and in-order, de-duplicated delivery. */
import { WebSocket } from 'ws';
import type { AlertEventKind, Role } from '@vigil/core';
import type { StreamedAlert } from './alertStream.js';
import { compareStreamIds } from './streamIds.js';

export type DropReason = 'slow_consumer' | 'heartbeat_timeout';

export interface LiveSubscriberHooks {
  pushed(kind: AlertEventKind): void;
  dropped(reason: DropReason): void;
}

export interface LiveSubscriberLimits {
  /** Bytes queued on the socket beyond which the client is cut off. */
  maxBufferedBytes: number;
  /** Live events held back while a replay runs, beyond which the client is cut off. */
  maxPendingEvents: number;
}

export class LiveSubscriber {
  /** Cameras this client wants; null means all. */
  private cameras: Set<string> | null = null;
  /** Id of the last alert sent; nothing at or before it is sent again. */
  private lastSentId: string | null = null;
  /** Live events arriving during a replay wait here, so the replay's older events go first. */
  private pending: StreamedAlert[] | null = null;
  private work: Promise<void> = Promise.resolve();
  alive = true;

  constructor(
    readonly ws: WebSocket,
    readonly role: Role,
    private readonly limits: LiveSubscriberLimits,
    private readonly hooks: LiveSubscriberHooks,
  ) {}

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** Sends a control message (hello, heartbeat, error…). */
  sendJson(message: object): boolean {
    return this.send(JSON.stringify(message));
  }

  /** A live event from the shared stream reader. */
  offer(alert: StreamedAlert): void {
    if (this.pending) {
      this.pending.push(alert);
      if (this.pending.length > this.limits.maxPendingEvents) this.drop('slow_consumer');
      return;
    }
    this.deliver(alert);
  }

  /** Runs client requests one at a time, so a second subscribe waits for the first one's replay. */
  enqueue(task: () => Promise<void>): void {
    this.work = this.work.then(task).catch(() => undefined);
  }

  /**
   * Applies a new filter; with `since`, replays the stream after that id, then resumes live.
   * A `since` states what the client has seen, so it also resets the de-duplication point.
   */
  async subscribe(cameras: string[] | null, since: string | null, replay: (since: string) => AsyncIterable<StreamedAlert>): Promise<number> {
    this.cameras = cameras && cameras.length > 0 ? new Set(cameras) : null;
    if (since === null) return 0;
    this.lastSentId = since;
    this.pending = [];
    let replayed = 0;
    try {
      for await (const alert of replay(since)) {
        if (!this.open) break;
        if (this.deliver(alert)) replayed++;
      }
    } finally {
      const held = this.pending;
      this.pending = null;
      for (const alert of held) this.deliver(alert);
    }
    return replayed;
  }

  /** Sends an alert if it passes the filter and comes after the last one sent; true when sent. */
  private deliver(alert: StreamedAlert): boolean {
    const { event } = alert;
    if (this.cameras && !this.cameras.has(event.alert.cameraId)) return false;
    if (this.lastSentId !== null && compareStreamIds(event.eventId, this.lastSentId) <= 0) return false;
    if (!this.send(alert.message)) return false;
    this.lastSentId = event.eventId;
    this.hooks.pushed(event.event);
    return true;
  }

  private send(text: string): boolean {
    if (!this.open) return false;
    if (this.ws.bufferedAmount > this.limits.maxBufferedBytes) {
      this.drop('slow_consumer');
      return false;
    }
    this.ws.send(text);
    return true;
  }

  drop(reason: DropReason): void {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.hooks.dropped(reason);
    this.ws.terminate();
  }
}
