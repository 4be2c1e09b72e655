/**
 * A Redis server of a test's own (the machine's `redis-server`, on a free port, persistence off unless
 * asked), so a test can kill it and start it again without touching the Redis other tests share.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from './vigilProcess.js';

export class RedisServer {
  private child: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    private readonly args: string[],
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Without persistence by default: a restart starts empty, as a Redis without AOF or RDB does. */
  static async start(options: { appendOnly?: boolean; dir?: string } = {}): Promise<RedisServer> {
    const args = ['--bind', '127.0.0.1', '--save', '', '--appendonly', options.appendOnly ? 'yes' : 'no', ...(options.dir ? ['--dir', options.dir] : [])];
    const server = new RedisServer(await freePort(), args);
    await server.launch();
    return server;
  }

  /** Ends the server abruptly (SIGKILL), as a crash or a node loss would. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }

  /** Starts it again on the same port. */
  restart(): Promise<void> {
    return this.launch();
  }

  async stop(): Promise<void> {
    await this.kill();
  }

  private async launch(): Promise<void> {
    this.child = spawn('redis-server', ['--port', String(this.port), ...this.args], { stdio: 'ignore' });
    const probe = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined);
    try {
      for (let i = 0; ; i++) {
        try {
          await probe.connect();
          if ((await probe.ping()) === 'PONG') return;
        } catch {
          if (i > 200) throw new Error(`redis-server on port ${this.port} did not start`);
          await new Promise((r) => setTimeout(r, 25));
        }
      }
    } finally {
      probe.disconnect();
    }
  }
}
