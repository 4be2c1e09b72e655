/**
 * Camera health as alerts: a camera that delivers no frames for `offlineSeconds` (refused connection,
 * stall, decoder exit, missing file) opens a `camera-offline` alert, closed when frames return. It goes
 * out on the same stream as anomaly alerts, so the WebSocket feed, webhooks and the history carry it,
 * told apart by `kind`. The open alert is kept in Redis, so an ingest restarted meanwhile closes it, and
 * each change is one script (state and event together): two processes never open or close it twice.
 */
import type { Redis } from 'ioredis';
import { ALERT_STREAM_MAXLEN, createLogger, type Alert, type CameraConfig, type FrameSize, type RedisKeys } from '@vigil/core';
import { newAlertId, wholeFrameRegions } from '@vigil/alerts';

/** KEYS: the open alert, the events stream. ARGV: alert JSON, event JSON, stream MAXLEN. The stream id, or nil when one is open already. */
const OPEN = `
if redis.call('EXISTS', KEYS[1]) == 1 then return nil end
redis.call('SET', KEYS[1], ARGV[1])
return redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', 'event', ARGV[2])`;

/** KEYS: the open alert, the events stream. ARGV: the alert id, event JSON, MAXLEN. The stream id, or nil when that alert is not open. */
const CLOSE = `
local open = redis.call('GET', KEYS[1])
if not open or cjson.decode(open).id ~= ARGV[1] then return nil end
redis.call('DEL', KEYS[1])
return redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', 'event', ARGV[2])`;

export class CameraOfflineAlerts {
  private readonly log;
  /** When frames stopped (ms), while they have. */
  private darkSince: number | undefined;
  private reason = '';
  private timer: NodeJS.Timeout | undefined;
  /** Serialises opens and closes, so a close never overtakes the open it closes. */
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly camera: CameraConfig,
    /** The analysed frame size and model version to put on the alert (what the camera delivered last). */
    private readonly describe: () => { frame: FrameSize; modelVersion: string },
  ) {
    this.log = createLogger(`ingest:${camera.id}:health`);
  }

  /** Frames are arriving: closes an open offline alert (this process's or one left by an earlier one). */
  live(atMs: number = Date.now()): void {
    this.darkSince = undefined;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.step(() => this.close(atMs));
  }

  /** Frames stopped at `atMs` for `reason`: an alert opens if they have not come back `offlineSeconds` later. */
  dark(reason: string, atMs: number = Date.now()): void {
    this.reason = reason;
    if (this.darkSince !== undefined) return;
    this.darkSince = atMs;
    this.timer = setTimeout(() => this.step(() => this.open()), Math.max(0, atMs + this.camera.offlineSeconds * 1000 - Date.now()));
    this.timer.unref();
  }

  /** Stops the timer and waits for a write in progress (an open alert stays open: the camera is still dark). */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    await this.chain;
  }

  private step(step: () => Promise<void>): void {
    this.chain = this.chain.then(step).catch((err: unknown) => this.log.error('camera-offline alert not written', { err }));
  }

  private async open(): Promise<void> {
    const since = this.darkSince;
    if (since === undefined) return;
    const now = new Date().toISOString();
    const { frame, modelVersion } = this.describe();
    const alert: Alert = {
      id: newAlertId(this.camera.id),
      cameraId: this.camera.id,
      kind: 'camera-offline',
      reason: this.reason,
      state: 'open',
      startedAt: new Date(since).toISOString(),
      updatedAt: now,
      score: 1,
      frame,
      // The whole view is what is lost: an alert must point somewhere.
      regions: wholeFrameRegions(),
      members: {},
      modelVersion,
      snapshotUrl: '',
    };
    const id = await this.redis.eval(
      OPEN,
      2,
      this.keys.cameraOffline(this.camera.id),
      this.keys.alertEvents,
      JSON.stringify(alert),
      JSON.stringify({ type: 'alert', event: 'open', alert }),
      String(ALERT_STREAM_MAXLEN),
    );
    if (id) this.log.warn('camera offline: alert opened', { alert: alert.id, reason: this.reason, since: alert.startedAt });
  }

  private async close(atMs: number): Promise<void> {
    const raw = await this.redis.get(this.keys.cameraOffline(this.camera.id));
    if (!raw) return;
    const open = JSON.parse(raw) as Alert;
    const at = new Date(Math.max(atMs, Date.parse(open.updatedAt))).toISOString();
    const alert: Alert = { ...open, state: 'closed', updatedAt: at, endedAt: at };
    const id = await this.redis.eval(
      CLOSE,
      2,
      this.keys.cameraOffline(this.camera.id),
      this.keys.alertEvents,
      open.id,
      JSON.stringify({ type: 'alert', event: 'close', alert }),
      String(ALERT_STREAM_MAXLEN),
    );
    if (id) this.log.info('camera back: offline alert closed', { alert: open.id });
  }
}
