/** Reads alert events from the Redis Stream: one shared live XREAD loop, and replays after a given id. */
import type { Redis } from 'ioredis';
import type { AlertEvent, AlertEventKind, Logger } from '@vigil/core';

/** An alert event read from the stream, with the JSON sent to clients serialised once. */
export interface StreamedAlert {
  event: AlertEvent;
  message: string;
}

const KINDS = new Set<AlertEventKind>(['open', 'update', 'close']);

/** Turns a stream entry (one field `event` holding JSON) into a pushable event; undefined if malformed. */
export function parseAlertEntry(id: string, fields: string[], log?: Logger): StreamedAlert | undefined {
  const i = fields.indexOf('event');
  const raw = i >= 0 && i % 2 === 0 ? fields[i + 1] : undefined;
  try {
    const body = JSON.parse(raw ?? '') as Partial<AlertEvent>;
    const alert = body.alert;
    if (!body.event || !KINDS.has(body.event) || !alert || typeof alert !== 'object' || typeof alert.cameraId !== 'string') {
      throw new Error('not an alert event');
    }
    const event: AlertEvent = { type: 'alert', event: body.event, eventId: id, alert };
    return { event, message: JSON.stringify(event) };
  } catch (err) {
    log?.warn('skipping malformed alert stream entry', { id, error: err });
    return undefined;
  }
}

/** Entries strictly after `since`, oldest first, read in batches. */
export async function* readAlertsAfter(redis: Redis, key: string, since: string, log?: Logger, batch = 500): AsyncGenerator<StreamedAlert> {
  let start = `(${since}`;
  for (;;) {
    const entries = await redis.xrange(key, start, '+', 'COUNT', batch);
    for (const [id, fields] of entries) {
      const parsed = parseAlertEntry(id, fields, log);
      if (parsed) yield parsed;
    }
    const last = entries.at(-1);
    if (!last || entries.length < batch) return;
    start = `(${last[0]}`;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One blocking XREAD loop per gateway on its own connection. It starts at the stream's tail as of
 * `start()` (a concrete id, not `$`, so nothing appended between two reads is missed).
 */
export class AlertStreamReader {
  private lastId: string | undefined;
  private stopped = false;
  private failing = false;
  private loop: Promise<void> | undefined;

  /** `blocking` is used only for XREAD; `commands` fails fast, so a Redis outage cannot stall `start()`. */
  constructor(
    private readonly blocking: Redis,
    private readonly commands: Redis,
    private readonly key: string,
    private readonly onAlert: (alert: StreamedAlert) => void,
    private readonly log: Logger,
    private readonly blockMs = 5000,
  ) {}

  async start(): Promise<void> {
    try {
      this.lastId = await this.tail();
    } catch (err) {
      this.log.warn('cannot read alert stream position yet; will retry', { error: err });
    }
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.blocking.disconnect();
    await this.loop;
  }

  private async tail(): Promise<string> {
    const last = await this.commands.xrevrange(this.key, '+', '-', 'COUNT', 1);
    return last[0]?.[0] ?? '0-0';
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        this.lastId ??= await this.tail();
        const res = await this.blocking.xread('COUNT', 200, 'BLOCK', this.blockMs, 'STREAMS', this.key, this.lastId);
        for (const [, entries] of res ?? []) {
          for (const [id, fields] of entries) {
            this.lastId = id;
            const parsed = parseAlertEntry(id, fields, this.log);
            if (parsed) this.onAlert(parsed);
          }
        }
        if (this.failing) this.log.info('alert stream readable again');
        this.failing = false;
      } catch (err) {
        if (this.stopped) return;
        // One warning per outage, not one a second.
        if (!this.failing) this.log.warn('alert stream read failed; retrying every second', { error: err });
        this.failing = true;
        await sleep(1000);
      }
    }
  }
}
