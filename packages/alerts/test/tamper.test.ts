import { describe, expect, it } from 'vitest';
import type { FrameScore } from '@vigil/core';
import { stepTamper, type TamperState } from '../src/tamper.js';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const at = (s: number) => T0 + Math.round(s * 1000);
const frame = (s: number, gated: boolean): FrameScore => ({
  cameraId: 'cam-1',
  seq: Math.round(s * 5),
  capturedAt: at(s),
  score: gated ? 0 : 0.2,
  frame: { width: 320, height: 180 },
  regions: [],
  members: {},
  modelVersion: 'v1',
  ...(gated ? { gated: true } : {}),
});

function run(frames: FrameScore[], tamperSeconds = 10) {
  let state: TamperState | undefined;
  let n = 0;
  const events = frames.flatMap((f) => {
    const step = stepTamper(state, f, tamperSeconds, () => `tamper-${++n}`);
    state = JSON.parse(JSON.stringify(step.state)) as TamperState;
    return step.events;
  });
  return { events, kinds: events.map((e) => e.event) };
}
const span = (from: number, to: number, gated: boolean) => Array.from({ length: Math.round((to - from) / 0.2) + 1 }, (_, i) => frame(from + i * 0.2, gated));

describe('camera-tampered alerts', () => {
  it('open once the whole view has stayed changed for tamperSeconds, and close when it is back', () => {
    expect(run([...span(0, 5, false), ...span(5.2, 15, true)]).kinds).toEqual([]);
    const { events, kinds } = run([...span(0, 5, false), ...span(5.2, 15.4, true), ...span(15.6, 17, false)]);
    expect(kinds).toEqual(['open', 'close']);
    const [open, close] = events;
    expect(open!.alert).toMatchObject({ id: 'tamper-1', kind: 'camera-tampered', state: 'open', startedAt: new Date(at(5.2)).toISOString(), updatedAt: new Date(at(15.2)).toISOString() });
    expect(open!.alert.reason).toMatch(/whole view changed 10 s ago/);
    expect(open!.alert.regions).toHaveLength(1);
    expect(close!.alert).toMatchObject({ id: 'tamper-1', state: 'closed', endedAt: new Date(at(15.6)).toISOString() });
  });

  it('does not count a short flash, and starts counting again after the view came back', () => {
    expect(run([...span(0, 6, true), ...span(6.2, 7, false), ...span(7.2, 16, true)]).kinds).toEqual([]);
  });

  it('ignores frames that arrive late from before the view came back, or from before the run began', () => {
    // A gated frame captured before the last clear frame belongs to a run that ended.
    expect(run([...span(0, 1, true), frame(2, false), frame(1.5, true), ...span(2.2, 11, true)]).kinds).toEqual([]);
    // A clear frame captured before the run began does not end it.
    const { kinds } = run([frame(0, false), ...span(1, 5, true), frame(0.5, false), ...span(5.2, 11.2, true)]);
    expect(kinds).toEqual(['open']);
  });
});
