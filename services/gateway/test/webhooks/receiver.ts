/** A real HTTP receiver on 127.0.0.1 that records every webhook POST and answers as a test scripts it. */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** Wait this long before answering (a slow receiver). */
  delayMs?: number;
}

/** Decides the reply to a request; `nth` counts earlier requests with the same webhook-id (0 for the first). */
export type Responder = (req: Received, nth: number) => Reply;

export class WebhookReceiver {
  readonly received: Received[] = [];
  private waiters: Array<() => void> = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
    public respond: Responder,
  ) {}

  static async start(respond: Responder = () => ({ status: 204 })): Promise<WebhookReceiver> {
    let self: WebhookReceiver | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const got: Received = { path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
        const nth = self!.received.filter((r) => r.headers['webhook-id'] === got.headers['webhook-id'] && r.path === got.path).length;
        self!.received.push(got);
        for (const w of self!.waiters.splice(0)) w();
        const reply = self!.respond(got, nth);
        setTimeout(() => {
          if (!res.destroyed) res.writeHead(reply.status, reply.headers).end();
        }, reply.delayMs ?? 0);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    self = new WebhookReceiver(server, `http://127.0.0.1:${port}`, respond);
    return self;
  }

  /** Requests to one path (each endpoint in a test gets its own path). */
  at(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  async waitUntil(done: () => boolean, timeoutMs = 10_000, what = 'receiver condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; received ${this.received.length} requests`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 250));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
