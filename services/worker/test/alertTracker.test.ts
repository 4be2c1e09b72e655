import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { redisKeys } from '@vigil/core';
import type { AlertEvent, AlertPolicy, FrameScore } from '@vigil/core';
import { AlertTracker, type AlertTrackerOptions } from '../src/alertTracker.js';

const REDIS_URL = process.env.VIGIL_TEST_REDIS ?? 'redis://127.0.0.1:6379';
const policy: AlertPolicy = { confirmFrames: 3, confirmSeconds: 1.5, quietSeconds: 3, updateSeconds: 2 };
const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const at = (seconds: number) => T0 + Math.round(seconds * 1000);

/** 5 fps for 30 s: anomalies from 5 s to 9 s and from 17 s to 21 s, each with a rising score and drifting box. */
function twoEpisodes(cameraId: string): FrameScore[] {
  const frames: FrameScore[] = [];
  for (let seq = 0; seq <= 150; seq++) {
    const s = seq / 5;
    const inEpisode = (s >= 5 && s <= 9) || (s >= 17 && s <= 21);
    const score = inEpisode ? 1.2 + (s % 12) / 10 : 0.3;
    frames.push({
      cameraId,
      seq,
      capturedAt: at(s),
      score,
      frame: { width: 320, height: 180 },
      regions: inEpisode ? [{ x: (s % 12) / 20, y: 0.4, width: 0.1, height: 0.1, score }] : [],
      members: { patchGaussian: score },
      modelVersion: 'v1',
    });
  }
  return frames;
}

function random(seed: number): () => number {
  let x = seed;
  return () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

/** Out of order by up to `reach` frames, as when a pool of workers takes frames off a queue. */
function shuffleLocally<T>(items: T[], rnd: () => number, reach: number): T[] {
  return items
    .map((item, i) => ({ item, key: i + rnd() * reach }))
    .sort((a, b) => a.key - b.key)
    .map((e) => e.item);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function readStream(redis: Redis, key: string): Promise<AlertEvent[]> {
  const entries = await redis.xrange(key, '-', '+');
  return entries.map(([id, fields]) => {
    expect(fields).toHaveLength(2);
    expect(fields[0]).toBe('event');
    const body = JSON.parse(fields[1]!) as Omit<AlertEvent, 'eventId'>;
    expect(body.type).toBe('alert');
    return { ...body, eventId: id };
  });
}

describe('AlertTracker on Redis', () => {
  const connections: Redis[] = [];
  const trackers: AlertTracker[] = [];
  // Ticks right away: the hold after a (re)connection has a test of its own.
  const track = (ns: string, redis: Redis = connect(), options: AlertTrackerOptions = { holdAfterConnectMs: 0 }) => {
    const t = new AlertTracker(redis, ns, () => policy, options);
    trackers.push(t);
    return t;
  };
  const connect = () => {
    const r = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    connections.push(r);
    return r;
  };
  let admin: Redis;
  const namespaces: string[] = [];
  const freshNamespace = () => {
    const ns = `vigil-test-${randomUUID()}`;
    namespaces.push(ns);
    return ns;
  };

  beforeAll(() => {
    admin = connect();
  });

  afterAll(async () => {
    for (const ns of namespaces) {
      const keys = await admin.keys(`${ns}:*`);
      if (keys.length) await admin.del(...keys);
    }
    await Promise.all(trackers.map((t) => t.close()));
    await Promise.all(connections.map((c) => c.quit()));
  });

  it.each([1, 2, 3, 4, 5, 6])('two workers recording one camera out of order emit each event once (shuffle %i)', async (seed) => {
    const ns = freshNamespace();
    const keys = redisKeys(ns);
    const rnd = random(seed * 7919);
    const shared = [connect(), connect()];
    const workers = [track(ns, shared[0]), track(ns, shared[1])];
    // The queue hands frames out slightly out of order; each worker keeps two frames in flight.
    const queue = shuffleLocally(twoEpisodes('cam-a'), rnd, 6);
    const returned = (
      await Promise.all(
        workers.flatMap((tracker, w) =>
          [0, 1].map(async () => {
            const out: AlertEvent[] = [];
            for (let f = queue.shift(); f; f = queue.shift()) {
              if (rnd() < 0.3) await sleep(rnd() * 2);
              // Meanwhile other work of the worker runs transactions on the connection it gave the tracker.
              const stats = async () => {
                await sleep(rnd());
                await shared[w]!.multi().hincrby(keys.cameraStatus('cam-a'), 'scored', 1).exec();
              };
              const [events] = await Promise.all([tracker.record(f), stats()]);
              out.push(...events);
            }
            return out;
          }),
        ),
      )
    ).flat();

    const stream = await readStream(admin, keys.alertEvents);
    expect(new Set(stream.map((e) => e.eventId)).size).toBe(stream.length);
    // Every event in the stream was reported by exactly the worker that emitted it.
    expect([...returned].sort((a, b) => a.eventId.localeCompare(b.eventId, 'en', { numeric: true }))).toEqual(stream);

    const opens = stream.filter((e) => e.event === 'open');
    const closes = stream.filter((e) => e.event === 'close');
    expect(opens).toHaveLength(2);
    expect(closes).toHaveLength(2);
    expect(Date.parse(opens[0]!.alert.startedAt)).toBeGreaterThanOrEqual(at(5));
    expect(Date.parse(opens[0]!.alert.startedAt)).toBeLessThan(at(9));
    expect(Date.parse(opens[1]!.alert.startedAt)).toBeGreaterThanOrEqual(at(17));
    expect(Date.parse(opens[1]!.alert.startedAt)).toBeLessThan(at(21));
    for (const open of opens) {
      const life = stream.filter((e) => e.alert.id === open.alert.id);
      expect(life[0]!.event).toBe('open');
      expect(life.at(-1)!.event).toBe('close');
      expect(life.slice(1, -1).every((e) => e.event === 'update')).toBe(true);
      expect(life.at(-1)!.alert.endedAt).toBeDefined();
      expect(life.at(-1)!.alert.snapshotUrl).toBe(`/v1/alerts/${open.alert.id}/snapshot.jpg`);
      const times = life.map((e) => Date.parse(e.alert.updatedAt));
      expect([...times].sort((a, b) => a - b)).toEqual(times);
    }
    // The second alert opens only after the first has closed.
    expect(stream.indexOf(closes[0]!)).toBeLessThan(stream.indexOf(opens[1]!));
    const ttl = await admin.ttl(keys.alertState('cam-a'));
    expect(ttl).toBeGreaterThan(0);
  });

  it('tick closes a silent camera once, whichever worker ticks first', async () => {
    const ns = freshNamespace();
    const keys = redisKeys(ns);
    const a = track(ns);
    const b = track(ns);
    for (const f of twoEpisodes('cam-b').slice(0, 35)) await a.record(f);
    expect((await readStream(admin, keys.alertEvents)).map((e) => e.event)).toEqual(['open']);

    expect(await b.tick(['cam-b', 'cam-unknown'], at(8))).toEqual([]);
    const [first, second] = await Promise.all([a.tick(['cam-b'], at(12)), b.tick(['cam-b'], at(12))]);
    const closed = [...first!, ...second!];
    expect(closed.map((e) => e.event)).toEqual(['close']);
    const stream = await readStream(admin, keys.alertEvents);
    expect(stream.map((e) => e.event)).toEqual(['open', 'close']);
    expect(stream[1]).toEqual(closed[0]);
    expect(await admin.exists(keys.alertState('cam-unknown'))).toBe(0);
  });

  it('emits one open and one close per alert while its connections are killed again and again', async () => {
    const ns = freshNamespace();
    const keys = redisKeys(ns);
    const name = `chaos-${ns.slice(-8)}`;
    // The trackers duplicate these connections, name included: the killer finds them all by it.
    const shared = [0, 1].map(() => {
      const r = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, connectionName: name });
      r.on('error', () => undefined);
      connections.push(r);
      return r;
    });
    const workers = [track(ns, shared[0]), track(ns, shared[1])];
    const rnd = random(4242);
    const queue = shuffleLocally(twoEpisodes('cam-c'), rnd, 4);
    let killing = true,
      kills = 0,
      recorded = 0;
    // Kills every few frames recorded (not on a clock, so a slower machine sees as many).
    const killer = (async () => {
      while (killing) {
        const clients = (await admin.client('LIST')) as string;
        for (const line of clients.split('\n').filter((l) => l.includes(` name=${name} `))) {
          const id = /\bid=(\d+)/.exec(line)?.[1];
          if (id) {
            await admin.client('KILL', 'ID', id).catch(() => 0);
            kills++;
          }
        }
        const next = recorded + 3;
        while (killing && recorded < next) await sleep(1);
      }
    })();
    // Each worker retries a frame whose step failed with the connection, as a failed frame job is retried.
    const record = async (tracker: AlertTracker, f: FrameScore) => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await tracker.record(f);
        } catch (err) {
          if (attempt > 200) throw err;
          await sleep(2);
        }
      }
    };
    await Promise.all(
      workers.map(async (tracker) => {
        for (let f = queue.shift(); f; f = queue.shift()) {
          await record(tracker, f);
          recorded++;
        }
      }),
    );
    killing = false;
    await killer;

    const stream = await readStream(admin, keys.alertEvents);
    expect(kills).toBeGreaterThanOrEqual(20);
    expect(new Set(stream.map((e) => e.eventId)).size).toBe(stream.length);
    const ids = [...new Set(stream.map((e) => e.alert.id))];
    expect(ids).toHaveLength(2);
    for (const id of ids) {
      const life = stream.filter((e) => e.alert.id === id).map((e) => e.event);
      expect(life.filter((e) => e === 'open')).toHaveLength(1);
      expect(life.filter((e) => e === 'close')).toHaveLength(1);
      expect(life[0]).toBe('open');
      expect(life.at(-1)).toBe('close');
    }
    process.stdout.write(`  [figures] connections killed ${kills} times over ${stream.length} events\n`);
  }, 120_000);

  it('commits no decision taken on stale state when its connection drops between reading and writing', async () => {
    // The minimal case of a lost WATCH: A reads the state and decides to open an alert; meanwhile B opens
    // it and A's connection is killed; A's write then goes out on a new connection.
    const ns = freshNamespace();
    const keys = redisKeys(ns);
    const name = `stale-${ns.slice(-8)}`;
    const baseA = new Redis(REDIS_URL, { maxRetriesPerRequest: 3, connectionName: name });
    baseA.on('error', () => undefined);
    connections.push(baseA);
    const frames = twoEpisodes('cam-d').filter((f) => f.capturedAt >= at(5) && f.capturedAt < at(6.5));
    let interfered = false;
    const b = track(ns);
    const a = track(ns, baseA, {
      holdAfterConnectMs: 0,
      // Between A's decision and its commit: B opens the alert, and A's connection is killed.
      async beforeCommit(_camera, decided) {
        if (interfered || !decided.some((e) => e.event === 'open')) return;
        interfered = true;
        expect((await b.record(frames[3]!)).map((e) => e.event)).toEqual(['open']);
        const clients = (await admin.client('LIST')) as string;
        for (const line of clients.split('\n').filter((l) => l.includes(` name=${name} `))) await admin.client('KILL', 'ID', /\bid=(\d+)/.exec(line)![1]!);
      },
    });
    for (const f of frames.slice(0, 2)) await b.record(f);
    const events = await a.record(frames[2]!);
    expect(interfered).toBe(true);
    // A decided again on the state B left: the alert is open already.
    expect(events.filter((e) => e.event === 'open')).toEqual([]);
    const stream = await readStream(admin, keys.alertEvents);
    expect(stream.filter((e) => e.event === 'open')).toHaveLength(1);
    expect(new Set(stream.map((e) => e.alert.id)).size).toBe(1);
  });

  it.each(Array.from({ length: 12 }, (_, i) => i + 1))('keeps the lifecycle invariants over random scores and frame orders on two workers (seed %i)', async (seed) => {
    const ns = freshNamespace();
    const keys = redisKeys(ns);
    const rnd = random(seed * 104729 + 17);
    // Random incidents: runs of frames over threshold of random lengths, gaps of random lengths, noise spikes.
    const frames: FrameScore[] = [];
    let high = false;
    for (let seq = 0; seq < 220; seq++) {
      if (rnd() < (high ? 0.06 : 0.04)) high = !high;
      const spike = !high && rnd() < 0.03;
      const score = high ? 1 + rnd() * 2 : spike ? 1 + rnd() : rnd() * 0.9;
      const over = score >= 1;
      frames.push({
        cameraId: 'cam-p',
        seq,
        capturedAt: at(seq / 5),
        score,
        frame: { width: 320, height: 180 },
        regions: over ? [{ x: rnd() * 0.8, y: rnd() * 0.8, width: 0.1, height: 0.1, score }] : [],
        members: { flowHistogram: score },
        modelVersion: 'v1',
      });
    }
    const queue = shuffleLocally(frames, rnd, 1 + Math.floor(rnd() * 8));
    const workers = [track(ns), track(ns)];
    await Promise.all(
      workers.map(async (tracker) => {
        for (let f = queue.shift(); f; f = queue.shift()) {
          if (rnd() < 0.2) await sleep(rnd() * 2);
          await tracker.record(f);
        }
      }),
    );
    // Long after the last frame: whatever is open closes.
    await workers[0]!.tick(['cam-p'], at(220 / 5 + 60));

    const stream = await readStream(admin, keys.alertEvents);
    expect(new Set(stream.map((e) => e.eventId)).size).toBe(stream.length);
    for (const id of new Set(stream.map((e) => e.alert.id))) {
      const life = stream.filter((e) => e.alert.id === id);
      expect(
        life.map((e) => e.event).filter((e) => e === 'open'),
        `alert ${id}`,
      ).toHaveLength(1);
      expect(
        life.map((e) => e.event).filter((e) => e === 'close'),
        `alert ${id}`,
      ).toHaveLength(1);
      expect(life[0]!.event).toBe('open');
      expect(life.at(-1)!.event).toBe('close');
      let previous = -Infinity;
      for (const e of life) {
        const started = Date.parse(e.alert.startedAt),
          updated = Date.parse(e.alert.updatedAt);
        expect(started, `${id} ${e.event}`).toBeLessThanOrEqual(updated);
        // Events of one alert move forward in time, in stream order.
        expect(updated, `${id} ${e.event}`).toBeGreaterThanOrEqual(previous);
        previous = updated;
        expect(e.alert.regions.length, `${id} ${e.event}`).toBeGreaterThan(0);
      }
      const close = life.at(-1)!.alert;
      expect(Date.parse(close.endedAt!)).toBeGreaterThanOrEqual(Date.parse(close.updatedAt));
      expect(Date.parse(close.endedAt!)).toBeGreaterThanOrEqual(Math.max(...life.map((e) => Date.parse(e.alert.updatedAt))));
      expect(close.startedAt).toBe(life[0]!.alert.startedAt);
    }
    // Alerts do not overlap: each opens after the previous one closed.
    const spans = [...new Set(stream.map((e) => e.alert.id))].map((id) => stream.filter((e) => e.alert.id === id).at(-1)!.alert);
    spans.sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
    for (let i = 1; i < spans.length; i++) expect(Date.parse(spans[i]!.startedAt)).toBeGreaterThanOrEqual(Date.parse(spans[i - 1]!.endedAt!));
  });

  it('closes nothing by the clock for a while after its connection came up, then closes a silent camera', async () => {
    const ns = freshNamespace();
    const keys = redisKeys(ns);
    const recorder = track(ns);
    for (const f of twoEpisodes('cam-h').slice(25, 35)) await recorder.record(f);
    expect((await readStream(admin, keys.alertEvents)).map((e) => e.event)).toEqual(['open']);
    // A worker whose connection just came up (as after an outage): frames held up may still come, so no
    // close by the clock yet, however long ago in capture time the last frame was.
    const fresh = track(ns, connect(), { holdAfterConnectMs: 1500 });
    expect(await fresh.tick(['cam-h'], at(1000))).toEqual([]);
    expect((await readStream(admin, keys.alertEvents)).map((e) => e.event)).toEqual(['open']);
    // Once the hold has passed, the silent camera's alert closes.
    let closed: AlertEvent[] = [];
    while (closed.length === 0) {
      closed = await fresh.tick(['cam-h'], at(1000));
      if (closed.length === 0) await sleep(50);
    }
    expect(closed.map((e) => e.event)).toEqual(['close']);
  });

  it('opens and closes a camera-tampered alert beside the anomaly lifecycle when the whole view stays changed', async () => {
    const ns = freshNamespace();
    const keys = redisKeys(ns);
    const tracker = new AlertTracker(connect(), ns, () => ({ ...policy, tamperSeconds: 2 }), { holdAfterConnectMs: 0 });
    trackers.push(tracker);
    const frame = (seq: number, gated: boolean): FrameScore => ({
      cameraId: 'cam-t',
      seq,
      capturedAt: at(seq / 5),
      score: gated ? 3 : 0.2,
      frame: { width: 320, height: 180 },
      regions: gated ? [{ x: 0, y: 0, width: 1, height: 1, score: 3 }] : [],
      members: { flowHistogram: 0.2 },
      modelVersion: 'v1',
      ...(gated ? { gated: true } : {}),
    });
    // 1 s clear, 3 s covered (gated: never an anomaly alert), then clear again.
    for (let seq = 0; seq < 5; seq++) await tracker.record(frame(seq, false));
    for (let seq = 5; seq < 20; seq++) await tracker.record(frame(seq, true));
    for (let seq = 20; seq < 25; seq++) await tracker.record(frame(seq, false));
    const stream = await readStream(admin, keys.alertEvents);
    expect(stream.map((e) => [e.event, e.alert.kind])).toEqual([
      ['open', 'camera-tampered'],
      ['close', 'camera-tampered'],
    ]);
    expect(stream[0]!.alert.startedAt).toBe(new Date(at(1)).toISOString());
    expect(stream[1]!.alert.endedAt).toBe(new Date(at(4)).toISOString());
  });
});
