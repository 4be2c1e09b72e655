import { describe, expect, it } from 'vitest';
import type { AlertPolicy, FrameScore, Region } from '@vigil/core';
import { AlertLifecycle, initialLifecycleState, newAlertId, stepLifecycle, tickLifecycle } from '../src/lifecycle.js';
import type { LifecycleEvent, LifecycleState } from '../src/lifecycle.js';

const policy: AlertPolicy = { confirmFrames: 3, confirmSeconds: 1.5, quietSeconds: 3, updateSeconds: 2 };
const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const at = (seconds: number) => T0 + Math.round(seconds * 1000);
const box: Region = { x: 0.1, y: 0.1, width: 0.2, height: 0.2, score: 1.5 };
const elsewhere: Region = { x: 0.6, y: 0.6, width: 0.2, height: 0.2, score: 1.5 };

function frame(seconds: number, score: number, regions: Region[] = score >= 1 ? [box] : []): FrameScore {
  return {
    cameraId: 'cam-1',
    seq: Math.round(seconds * 5),
    capturedAt: at(seconds),
    score,
    frame: { width: 320, height: 180 },
    regions,
    members: { patchGaussian: score },
    modelVersion: 'v1',
  };
}

/** Feeds frames one by one through a JSON round-trip of the state, as Redis would. */
function run(frames: FrameScore[], state: LifecycleState = initialLifecycleState()) {
  let n = 0;
  const events: LifecycleEvent[] = [];
  for (const f of frames) {
    const step = stepLifecycle(state, f, policy, () => `alert-${++n}`);
    state = JSON.parse(JSON.stringify(step.state)) as LifecycleState;
    events.push(...step.events);
  }
  return { state, events, kinds: events.map((e) => e.event) };
}

/** Frames every 0.2 s from `from` to `to` (inclusive), with the given score. */
function span(from: number, to: number, score: number): FrameScore[] {
  const out: FrameScore[] = [];
  for (let s = from; s <= to + 1e-9; s += 0.2) out.push(frame(Number(s.toFixed(1)), score));
  return out;
}

function shuffleLocally<T>(items: T[], seed: number, reach: number): T[] {
  let x = seed;
  const random = () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  return items
    .map((item, i) => ({ item, key: i + random() * reach }))
    .sort((a, b) => a.key - b.key)
    .map((e) => e.item);
}

describe('alert lifecycle', () => {
  it('opens once confirmFrames frames over threshold fall within confirmSeconds', () => {
    const { events } = run([frame(0, 0.2), frame(0.2, 1.2), frame(0.4, 1.1)]);
    expect(events).toEqual([]);
    const opened = run([frame(0, 0.2), frame(0.2, 1.2), frame(0.4, 1.1), frame(0.6, 1.3)]);
    expect(opened.kinds).toEqual(['open']);
    expect(opened.events[0]!.alert).toEqual({
      id: 'alert-1',
      cameraId: 'cam-1',
      state: 'open',
      startedAt: new Date(at(0.2)).toISOString(),
      updatedAt: new Date(at(0.6)).toISOString(),
      score: 1.3,
      frame: { width: 320, height: 180 },
      regions: [box],
      members: { patchGaussian: 1.3 },
      modelVersion: 'v1',
      snapshotUrl: '/v1/alerts/alert-1/snapshot.jpg',
    });
  });

  it('opens on frames that cross on their own, not on frames over only by the hold, which keep an open alert going', () => {
    const held = (seconds: number, score: number) => ({ ...frame(seconds, score), held: true });
    // One crossing, then frames over only by the hold: no alert.
    expect(run([frame(0, 1.2), held(0.2, 1.5), held(0.4, 1.5), held(0.6, 1.5), held(0.8, 1.5)]).kinds).toEqual([]);
    // An open alert is kept open by held frames past its quiet period, and closes once they stop.
    const kept = run([...span(0, 0.4, 1.5), ...[0.6, 1.6, 2.6, 3.6, 4.6].map((t) => held(t, 1.2)), ...span(4.8, 8, 0.3)]);
    expect(kept.kinds).toEqual(['open', 'close']);
    expect(kept.events[1]!.alert.endedAt).toBe(new Date(at(4.6)).toISOString());
  });

  it('does not open on isolated spikes spread wider than the confirmation window', () => {
    const frames = span(0, 20, 0.3).map((f, i) => (i % 5 === 0 ? { ...f, score: 2, regions: [box] } : f));
    expect(run(frames).events).toEqual([]);
  });

  it('opens exactly once whatever the arrival order within the window', () => {
    const burst = [frame(1, 1.1), frame(1.2, 1.4), frame(1.4, 1.2), frame(1.6, 1.6), frame(1.8, 0.4)];
    for (let seed = 1; seed <= 40; seed++) {
      const { events } = run([...span(0, 0.8, 0.2), ...shuffleLocally(burst, seed, 5)]);
      expect(events.map((e) => e.event)).toEqual(['open']);
      // A frame of the burst arriving after the others confirmed it cannot move an announced start.
      expect(Date.parse(events[0]!.alert.startedAt)).toBeGreaterThanOrEqual(at(1));
      expect(Date.parse(events[0]!.alert.startedAt)).toBeLessThanOrEqual(at(1.2));
    }
  });

  it('gives one open and one close per episode when frames arrive shuffled by a second', () => {
    const frames = [...span(0, 4.8, 0.2), ...span(5, 9, 1.5), ...span(9.2, 16.8, 0.2), ...span(17, 21, 1.5), ...span(21.2, 30, 0.2)];
    for (let seed = 1; seed <= 30; seed++) {
      const { events } = run(shuffleLocally(frames, seed, 5));
      const opens = events.filter((e) => e.event === 'open');
      const closes = events.filter((e) => e.event === 'close');
      expect(opens.map((e) => e.alert.id)).toEqual(['alert-1', 'alert-2']);
      expect(closes.map((e) => e.alert.id)).toEqual(['alert-1', 'alert-2']);
      expect(Date.parse(opens[0]!.alert.startedAt)).toBeLessThan(at(6));
      expect(Date.parse(opens[1]!.alert.startedAt)).toBeGreaterThanOrEqual(at(17));
    }
  });

  it('rate-limits updates to updateSeconds and carries the new peak with its regions and members', () => {
    const rising = span(0, 6, 0).map((f, i) => ({ ...f, score: 1 + i / 100, members: { patchGaussian: 1 + i / 100 }, regions: [box] }));
    const { events } = run(rising);
    expect(events.map((e) => e.event)).toEqual(['open', 'update', 'update']);
    const [open, first, second] = events.map((e) => e.alert);
    expect(Date.parse(first!.updatedAt) - Date.parse(open!.updatedAt)).toBe(2000);
    expect(Date.parse(second!.updatedAt) - Date.parse(first!.updatedAt)).toBe(2000);
    expect(first!.score).toBeCloseTo(1 + 12 / 100);
    expect(first!.members).toEqual({ patchGaussian: first!.score });
    expect(second!.score).toBeCloseTo(1 + 22 / 100);
    expect(first!.id).toBe(open!.id);
  });

  it('sends an update when the regions move, even without a new peak', () => {
    const frames = [...span(0, 0.4, 2), ...span(0.6, 1.8, 1.5), frame(2, 1.5, [elsewhere]), ...span(2.2, 3, 1.5).map((f) => ({ ...f, regions: [elsewhere] }))];
    const { events } = run(frames);
    expect(events.map((e) => e.event)).toEqual(['open', 'update']);
    expect(events[1]!.alert.regions).toEqual([elsewhere]);
    expect(events[1]!.alert.score).toBe(2);
  });

  it('sends no update while nothing changes', () => {
    expect(run(span(0, 10, 1.5)).kinds).toEqual(['open']);
  });

  it('closes after quietSeconds without a frame over threshold, at the first frame captured that late', () => {
    const { events } = run([...span(0, 2, 1.5), ...span(2.2, 4.8, 0.3)]);
    expect(events.map((e) => e.event)).toEqual(['open']);
    const closed = run([...span(0, 2, 1.5), ...span(2.2, 5, 0.3)]);
    expect(closed.kinds).toEqual(['open', 'close']);
    const alert = closed.events[1]!.alert;
    expect(alert.state).toBe('closed');
    expect(alert.startedAt).toBe(new Date(at(0)).toISOString());
    expect(alert.endedAt).toBe(new Date(at(2)).toISOString());
    // Its last update is when it ended (its last frame over threshold), not when quiet was declared:
    // startedAt ≤ updatedAt ≤ endedAt.
    expect(alert.updatedAt).toBe(alert.endedAt);
    expect(alert.id).toBe(closed.events[0]!.alert.id);
  });

  it('does not end an incident at a gap of lost frames (a Redis outage): frames over threshold after it carry on the same alert', () => {
    // 8 s without any frame between two stretches of the same incident, then quiet.
    const { kinds, events } = run([...span(0, 2, 1.5), ...span(10, 12, 1.5), ...span(12.2, 14.8, 0.3)]);
    expect(kinds.filter((k) => k !== 'update')).toEqual(['open']);
    const closed = run([...span(0, 2, 1.5), ...span(10, 12, 1.5), ...span(12.2, 15.2, 0.3)]);
    expect(closed.kinds.filter((k) => k !== 'update')).toEqual(['open', 'close']);
    expect(new Set(closed.events.map((e) => e.alert.id)).size).toBe(1);
    expect(closed.events.at(-1)!.alert.endedAt).toBe(new Date(at(12)).toISOString());
    expect(events[0]!.alert.startedAt).toBe(new Date(at(0)).toISOString());
  });

  it('after a gap of lost frames, counts quiet from the first frame back, and closes once that much quiet was seen', () => {
    const notYet = run([...span(0, 2, 1.5), ...span(10, 12.8, 0.3)]);
    expect(notYet.kinds).toEqual(['open']);
    const closed = run([...span(0, 2, 1.5), ...span(10, 13, 0.3)]);
    expect(closed.kinds).toEqual(['open', 'close']);
    // It ended where it was last seen over threshold.
    expect(closed.events[1]!.alert.endedAt).toBe(new Date(at(2)).toISOString());
    // A gap shorter than the quiet period is quiet as before.
    expect(run([...span(0, 2, 1.5), ...span(4.5, 5.2, 0.3)]).kinds).toEqual(['open', 'close']);
  });

  it('closes on a frame over threshold that comes after the quiet period, then needs confirmation again', () => {
    // A frame below threshold in between (frames were seen, not lost), then one over it 3.5 s after the last.
    const { kinds } = run([...span(0, 1, 1.5), frame(3.9, 0.3), frame(4.5, 1.5), frame(4.7, 1.5)]);
    expect(kinds).toEqual(['open', 'close']);
    const reopened = run([...span(0, 1, 1.5), frame(3.9, 0.3), frame(4.5, 1.5), frame(4.7, 1.5), frame(4.9, 1.5)]);
    expect(reopened.kinds).toEqual(['open', 'close', 'open']);
    expect(reopened.events[2]!.alert.id).toBe('alert-2');
  });

  it('tick closes the alert of a camera that sends no frames at all', () => {
    const { state } = run(span(0, 1, 1.5));
    expect(tickLifecycle(state, at(3.9), policy).events).toEqual([]);
    const { events, state: after } = tickLifecycle(state, at(4), policy);
    expect(events.map((e) => e.event)).toEqual(['close']);
    // The close says it was not the scene that went quiet: no frame came at all.
    expect(events[0]!.alert.reason).toBe('closed without frames: none arrived for 3 s');
    expect(events[0]!.alert.endedAt).toBe(new Date(at(1)).toISOString());
    expect(after.open).toBeNull();
    expect(tickLifecycle(after, at(60), policy).events).toEqual([]);
    expect(state.open).not.toBeNull();
  });

  it('ignores late frames of an alert already closed: no reopen, no duplicate', () => {
    const { state, kinds } = run([...span(0, 2, 1.5), ...span(2.2, 6, 0.3)]);
    expect(kinds).toEqual(['open', 'close']);
    const late = run([frame(2.2, 3), frame(2.4, 3), frame(2.6, 3), frame(4.8, 3), frame(1, 3)], state);
    expect(late.events).toEqual([]);
    const fresh = run([frame(6.2, 2), frame(6.4, 2), frame(6.6, 2)], late.state);
    expect(fresh.kinds).toEqual(['open']);
  });

  it('ignores frames over threshold captured long before the latest frame', () => {
    const { events } = run([...span(0, 20, 0.2), frame(5, 2), frame(5.2, 2), frame(5.4, 2)]);
    expect(events).toEqual([]);
  });

  it('does not change the state it is given', () => {
    const { state } = run(span(0, 1, 1.5));
    const copy = JSON.stringify(state);
    stepLifecycle(state, frame(1.2, 5, [elsewhere]), policy, () => 'x');
    tickLifecycle(state, at(100), policy);
    expect(JSON.stringify(state)).toBe(copy);
  });

  it('AlertLifecycle runs the same decisions in memory for offline review', () => {
    const lifecycle = new AlertLifecycle(policy);
    const kinds = [...span(0, 2, 1.5), ...span(2.2, 3, 0.1)].flatMap((f) => lifecycle.push(f)).map((e) => e.event);
    expect(kinds).toEqual(['open']);
    expect(lifecycle.tick(at(10)).map((e) => e.event)).toEqual(['close']);
  });

  it('gated frames (whole-frame changes) neither open nor extend an alert, but time still passes', () => {
    const gated = (f: FrameScore): FrameScore => ({ ...f, gated: true });
    expect(run(span(0, 2, 5).map(gated)).events).toEqual([]);
    // Open on real highs, then only gated highs: the alert closes after the quiet period from its last real high.
    const { kinds, events } = run([...span(0, 1, 1.5), ...span(1.2, 6, 5).map(gated)]);
    expect(kinds).toEqual(['open', 'close']);
    expect(events[1]!.alert.endedAt).toBe(new Date(at(1)).toISOString());
    expect(events[1]!.alert.score).toBe(1.5);
  });

  it('alert ids sort by creation time and do not repeat', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => newAlertId('cam-1', T0 + i));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(1000);
  });
});
