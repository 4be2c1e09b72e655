/**
 * The camera wall's `/v1/preview` socket: asks for the cameras on the wall and receives their analysed
 * frames (binary: `[uint32 header length][header JSON][JPEG]`) and per-frame scores (JSON). Reconnects by itself.
 */
import type { PreviewHeader, ScoreMessage } from '../types.js';

export interface PreviewHandlers {
  frame(header: PreviewHeader, jpeg: Blob): void;
  score(msg: ScoreMessage): void;
  connected(up: boolean): void;
}

export function parsePreviewFrame(buf: ArrayBuffer): { header: PreviewHeader; jpeg: Blob } | undefined {
  if (buf.byteLength < 4) return undefined;
  const len = new DataView(buf).getUint32(0);
  if (len > buf.byteLength - 4) return undefined;
  try {
    const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, 4, len))) as PreviewHeader;
    return { header, jpeg: new Blob([new Uint8Array(buf, 4 + len)], { type: 'image/jpeg' }) };
  } catch {
    return undefined;
  }
}

export class PreviewConnection {
  private ws: WebSocket | undefined;
  private cameras: string[] = [];
  private closed = false;
  private retryMs = 250;
  private timer: number | undefined;

  constructor(
    private readonly url: string,
    private readonly handlers: PreviewHandlers,
  ) {}

  watch(cameras: string[]): void {
    this.cameras = cameras;
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ type: 'watch', cameras }));
  }

  connect(): void {
    const ws = new WebSocket(this.url);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    ws.onopen = () => {
      this.retryMs = 250;
      this.handlers.connected(true);
      ws.send(JSON.stringify({ type: 'watch', cameras: this.cameras }));
    };
    ws.onmessage = (m) => {
      if (m.data instanceof ArrayBuffer) {
        const f = parsePreviewFrame(m.data);
        if (f) this.handlers.frame(f.header, f.jpeg);
        return;
      }
      try {
        const msg = JSON.parse(String(m.data)) as { type?: string };
        if (msg.type === 'score') this.handlers.score(msg as ScoreMessage);
      } catch {
        // not ours to show
      }
    };
    ws.onclose = () => {
      if (this.ws !== ws || this.closed) return;
      this.handlers.connected(false);
      this.timer = window.setTimeout(() => this.connect(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 3000);
    };
  }

  close(): void {
    this.closed = true;
    window.clearTimeout(this.timer);
    this.ws?.close();
  }
}
