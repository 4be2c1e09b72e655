/**
 * The live preview of one camera: its analysed frames as small JPEGs on a Redis pub/sub channel, at
 * most a few a second, and only while someone listens (the gateway subscribes while a dashboard
 * shows the camera). Dashboards show these frames, so opening a view never opens a camera session.
 *
 * A message is `[uint32 BE header length][header JSON, UTF-8][JPEG]`; the header is a PreviewHeader.
 * The gateway forwards it to browsers unchanged.
 */
import type { Redis } from 'ioredis';
import type { Frame, PreviewHeader, RedisKeys } from '@vigil/core';
import { encodeJpeg } from '@vigil/video';

export type { PreviewHeader };

export interface PreviewOptions {
  /** At most this many preview frames a second (default 5). */
  maxFps?: number;
  /** JPEG quality 1–100 (default 70). */
  quality?: number;
  /** How long a "nobody listens" answer is trusted before asking Redis again (default 1000 ms). */
  listenerCheckMs?: number;
}

export function packPreviewFrame(header: PreviewHeader, jpeg: Uint8Array): Buffer {
  const head = Buffer.from(JSON.stringify(header), 'utf8');
  const out = Buffer.allocUnsafe(4 + head.length + jpeg.byteLength);
  out.writeUInt32BE(head.length, 0);
  head.copy(out, 4);
  out.set(jpeg, 4 + head.length);
  return out;
}

/** The inverse of packPreviewFrame; undefined when the bytes are not a preview frame. */
export function unpackPreviewFrame(buf: Buffer): { header: PreviewHeader; jpeg: Buffer } | undefined {
  if (buf.length < 4) return undefined;
  const len = buf.readUInt32BE(0);
  if (len > buf.length - 4) return undefined;
  try {
    const header = JSON.parse(buf.subarray(4, 4 + len).toString('utf8')) as PreviewHeader;
    return { header, jpeg: buf.subarray(4 + len) };
  } catch {
    return undefined;
  }
}

export class PreviewPublisher {
  private readonly minIntervalMs: number;
  private readonly quality: number;
  private readonly listenerCheckMs: number;
  private lastSentAt = -Infinity;
  private listeners = 0;
  private listenersCheckedAt = -Infinity;
  private checking: Promise<void> | undefined;
  /** Frames published, for tests and logs. */
  sent = 0;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly cameraId: string,
    opts: PreviewOptions = {},
  ) {
    this.minIntervalMs = 1000 / (opts.maxFps ?? 5);
    this.quality = opts.quality ?? 70;
    this.listenerCheckMs = opts.listenerCheckMs ?? 1000;
  }

  /** Publishes the frame when someone listens and the rate allows; never throws, never waits for Redis. */
  offer(frame: Frame): void {
    const now = Date.now();
    // A small slack, so a 5 fps camera is not cut to 2.5 fps by timer jitter.
    if (now - this.lastSentAt < this.minIntervalMs * 0.8) return;
    if (now - this.listenersCheckedAt > this.listenerCheckMs) void this.checkListeners(now);
    if (this.listeners === 0) return;
    this.lastSentAt = now;
    const jpeg = encodeJpeg(frame.data, frame.width, frame.height, this.quality);
    const header: PreviewHeader = { camera: this.cameraId, seq: frame.seq, capturedAt: frame.capturedAt, width: frame.width, height: frame.height };
    this.sent++;
    this.redis.publish(this.keys.previewChannel(this.cameraId), packPreviewFrame(header, jpeg)).then(
      (receivers) => (this.listeners = receivers),
      () => undefined,
    );
  }

  // PUBSUB NUMSUB is cheap; asked at most once a second so an unwatched camera costs no JPEG encoding.
  private checkListeners(now: number): Promise<void> {
    this.checking ??= (async () => {
      try {
        const reply = (await this.redis.pubsub('NUMSUB', this.keys.previewChannel(this.cameraId))) as [string, number];
        this.listeners = Number(reply[1]) || 0;
      } catch {
        this.listeners = 0;
      } finally {
        this.listenersCheckedAt = now;
        this.checking = undefined;
      }
    })();
    return this.checking;
  }
}
