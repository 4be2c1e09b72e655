/**
 * `/v1/live` replay for gaps longer than the stream keeps: events the stream no longer holds (it is
 * trimmed by MAXLEN) come from the history store, the rest from the stream, in id order, each once.
 */
import type { Redis } from 'ioredis';
import type { Logger } from '@vigil/core';
import { readAlertsAfter, type StreamedAlert } from '../alertStream.js';
import { compareStreamIds } from '../streamIds.js';
import type { AlertStore } from './alertStore.js';

const split = (id: string): [string, string] => {
  const [ms, seq = '0'] = id.split('-') as [string, string?];
  return [ms, seq];
};

/** PostgreSQL keeps stream ids as bigints; a larger `since` is after anything stored. */
const fitsBigint = (id: string) => BigInt(split(id)[0]) <= 9223372036854775807n;

export async function* replayWithStore(redis: Redis, key: string, store: AlertStore | undefined, since: string, log?: Logger, batch = 500): AsyncGenerator<StreamedAlert> {
  const oldest = (await redis.xrange(key, '-', '+', 'COUNT', 1))[0]?.[0];
  // Only ids before the stream's oldest entry can be missing from it; an empty stream may have lost anything.
  if (store && fitsBigint(since) && (oldest === undefined || compareStreamIds(since, oldest) < 0)) {
    const before = oldest === undefined ? null : split(oldest);
    let after = split(since);
    for (;;) {
      const rows = await store.eventsBetween(after, before, batch);
      for (const { eventId, payload } of rows) {
        const event = { type: 'alert' as const, event: payload.event, eventId, alert: payload.alert };
        yield { event, message: JSON.stringify(event) };
      }
      const last = rows.at(-1);
      if (!last || rows.length < batch) break;
      after = split(last.eventId);
    }
  }
  // Overlap with the store (an empty stream refilled meanwhile) is harmless: clients skip ids already sent.
  yield* readAlertsAfter(redis, key, since, log, batch);
}
