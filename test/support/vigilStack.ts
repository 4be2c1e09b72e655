/**
 * A whole vigil deployment for cross-service tests, from real parts: a GStreamer RTSP server playing a
 * clip as camera `cam1`, `vigil ingest`, `vigil worker` and `vigil gateway` as their own processes, a
 * unique Redis namespace and (optionally) a PostgreSQL schema of its own for the alert history.
 * Services can be killed and started again (restart tests); stop() cleans up Redis and PostgreSQL.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { LocalRtspServer } from '@vigil/video';
import { freePort, startVigil, writeVigilConfig, type VigilProcess } from './vigilProcess.js';

export const TEST_REDIS_URL = 'redis://127.0.0.1:6379';
export const TEST_POSTGRES_URL = process.env.VIGIL_TEST_POSTGRES_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/test';

/** A service by its command; `worker2` is a second worker process beside `worker`. */
export type ServiceName = 'gateway' | 'worker' | 'worker2' | 'ingest';

export interface StackOptions {
  /** The clip the camera plays (looped, in real time). */
  clip: string;
  tokens: { token: string; role: 'viewer' | 'operator' | 'admin' }[];
  learnSeconds?: number;
  fps?: number;
  alerts?: { confirmFrames?: number; confirmSeconds?: number; quietSeconds?: number; updateSeconds?: number };
  /** Seconds without frames before the camera's camera-offline alert opens (config default 15). */
  offlineSeconds?: number;
  /** Webhook endpoints (targets on this machine are allowed). */
  webhooks?: { id: string; url: string; secret: string }[];
  /** Keep the alert history in a PostgreSQL schema of its own (default true). */
  history?: boolean;
  /** Redis to use (default: the machine's, 127.0.0.1:6379). */
  redisUrl?: string;
  /** gateway.unscoredSeconds: how long frames go unscored before /healthz says degraded. */
  unscoredSeconds?: number;
  /** Extra environment for every service. */
  env?: NodeJS.ProcessEnv;
}

export class VigilStack {
  readonly services = new Map<ServiceName, VigilProcess>();
  private readonly starts = new Map<ServiceName, number>();
  private constructor(
    readonly work: string,
    readonly ns: string,
    readonly port: number,
    readonly configFile: string,
    readonly dataDir: string,
    readonly redis: Redis,
    private camera: LocalRtspServer,
    private readonly clip: string,
    /** Wall-clock ms at which the camera began playing the clip from its first frame. */
    readonly playStart: number,
    private readonly schema: string | undefined,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  get rtsp(): LocalRtspServer {
    return this.camera;
  }

  /** The camera goes dark: its RTSP server stops (sessions end, connections are refused). */
  async dropCamera(): Promise<void> {
    await this.camera.stop();
  }

  /** The camera comes back on the same port, playing the clip from its start. */
  async restoreCamera(): Promise<void> {
    this.camera = await LocalRtspServer.start({ port: this.camera.port, mounts: [{ path: 'cam1', file: this.clip, loop: true }] });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Wall-clock ms at which the camera shows second `t` of the clip (first play). */
  wallTimeOf(videoSeconds: number): number {
    return this.playStart + videoSeconds * 1000;
  }

  static async start(opts: StackOptions): Promise<VigilStack> {
    const work = mkdtempSync(join(tmpdir(), 'vigil-stack-'));
    const ns = `stack-${randomBytes(4).toString('hex')}`;
    const dataDir = join(work, 'data');
    mkdirSync(join(dataDir, 'recordings'), { recursive: true });
    let schema: string | undefined;
    let postgresUrl: string | undefined;
    if (opts.history !== false) {
      schema = `stack_${randomBytes(4).toString('hex')}`;
      const admin = new pg.Client(TEST_POSTGRES_URL);
      await admin.connect();
      await admin.query(`CREATE SCHEMA ${schema}`);
      await admin.end();
      postgresUrl = `${TEST_POSTGRES_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    }
    const port = await freePort();
    const rtsp = await LocalRtspServer.start({ mounts: [{ path: 'cam1', file: opts.clip, loop: true }] });
    const playStart = Date.now();
    const configFile = writeVigilConfig(work, {
      redis: { url: opts.redisUrl ?? TEST_REDIS_URL },
      namespace: ns,
      dataDir,
      gateway: { host: '127.0.0.1', port, tokens: opts.tokens, heartbeatSeconds: 5, ...(opts.unscoredSeconds !== undefined ? { unscoredSeconds: opts.unscoredSeconds } : {}) },
      ...(postgresUrl ? { history: { postgresUrl } } : {}),
      ...(opts.webhooks ? { webhooks: opts.webhooks.map((w) => ({ ...w, allowPrivateNetwork: true })) } : {}),
      cameras: [
        {
          id: 'cam1',
          name: 'Street cam',
          url: rtsp.urlFor('cam1'),
          fps: opts.fps ?? 5,
          learnSeconds: opts.learnSeconds ?? 20,
          alerts: opts.alerts ?? {},
          ...(opts.offlineSeconds !== undefined ? { offlineSeconds: opts.offlineSeconds } : {}),
        },
      ],
    });
    const stack = new VigilStack(work, ns, port, configFile, dataDir, quietRedis(opts.redisUrl ?? TEST_REDIS_URL), rtsp, opts.clip, playStart, schema, opts.env ?? {});
    for (const name of ['gateway', 'worker', 'ingest'] as const) stack.startService(name);
    return stack;
  }

  startService(name: ServiceName): VigilProcess {
    const n = (this.starts.get(name) ?? 0) + 1;
    this.starts.set(name, n);
    const proc = startVigil([name === 'worker2' ? 'worker' : name, '--config', this.configFile], join(this.work, `${name}${n > 1 ? `-${n}` : ''}.log`), this.env);
    this.services.set(name, proc);
    return proc;
  }

  /** Ends a service abruptly (SIGKILL), as a crash would. */
  async killService(name: ServiceName): Promise<void> {
    const proc = this.services.get(name);
    if (!proc) return;
    const { child } = proc;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }

  /** Resolves once `GET /healthz` answers 200. */
  async waitForGateway(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const res = await fetch(`${this.url}/healthz`);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`gateway not healthy within ${timeoutMs} ms\n${this.logs()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async waitForCameraState(state: string, deadline: number): Promise<void> {
    while ((await this.redis.hget(`${this.ns}:camera:cam1`, 'state')) !== state) {
      if (Date.now() > deadline) throw new Error(`camera never reached state ${state}\n${this.logs()}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  }

  /** Alert events on the stream so far, oldest first. */
  async alertEvents(): Promise<{ eventId: string; event: string; alert: { id: string; cameraId: string; regions: unknown[] } }[]> {
    const entries = await this.redis.xrange(`${this.ns}:alerts`, '-', '+');
    return entries.map(([eventId, fields]) => ({ eventId, ...(JSON.parse(fields[fields.indexOf('event') + 1]!) as { event: string; alert: { id: string; cameraId: string; regions: unknown[] } }) }));
  }

  /** The last lines of every service's log, for failure messages. */
  logs(lines = 30): string {
    return [...this.services.values()].map((s) => `--- ${s.logFile}\n${readFileSync(s.logFile, 'utf8').split('\n').slice(-lines).join('\n')}`).join('\n');
  }

  async stop(): Promise<void> {
    await Promise.all([...this.services.values()].map((s) => s.stop()));
    await this.camera.stop();
    const keys = await this.redis.keys(`${this.ns}*`);
    const bull = await this.redis.keys(`bull:${this.ns}*`);
    if (keys.length + bull.length) await this.redis.del(...keys, ...bull);
    this.redis.disconnect();
    if (this.schema) {
      const admin = new pg.Client(TEST_POSTGRES_URL);
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS ${this.schema} CASCADE`);
      await admin.end();
    }
  }
}

/** The test's own connection: it waits out a Redis restart (commands queue) and leaves the errors to the services' logs. */
function quietRedis(url: string): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  redis.on('error', () => undefined);
  return redis;
}
