import { fileURLToPath } from 'node:url';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Frame } from '@vigil/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CameraSource, LocalRtspServer, decodeFrames, encodeVideo, type CameraSourceOptions, type CameraStateChange } from '../src/index.js';

const STREET = fileURLToPath(new URL('../../../footage/street.mp4', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A started source with everything it reported, timestamped on arrival. */
function watch(options: CameraSourceOptions) {
  const source = new CameraSource(options);
  const frames: Frame[] = [];
  const states: CameraStateChange[] = [];
  source.on('frame', (f) => frames.push(f));
  source.on('state', (s) => states.push(s));
  source.start();
  return { source, frames, states };
}

async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<number> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
  return Date.now() - t0;
}

describe('CameraSource over a local RTSP server (TCP)', () => {
  let server: LocalRtspServer;
  beforeAll(async () => {
    server = await LocalRtspServer.start({ mounts: [{ path: 'cam1', file: STREET, loop: true }] });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('delivers frames, survives the RTSP server being killed, and resumes within 5 s of its return', async () => {
    const { source, frames, states } = watch({ cameraId: 'cam1', url: server.urlFor('cam1'), fps: 5, width: 320, stallSeconds: 5 });
    try {
      await until(() => frames.length >= 5, 15_000, 'first frames');
      expect(states[0]!.state).toBe('connecting');
      expect(source.state).toBe('live');
      const f = frames[0]!;
      expect(f).toMatchObject({ cameraId: 'cam1', width: 320, height: 176 });
      expect(f.data.length).toBe(320 * 176 * 3);
      expect(Math.abs(f.capturedAt - Date.now())).toBeLessThan(10_000);

      await server.kill();
      await until(() => source.state === 'reconnecting', 5_000, 'the source to notice the outage');
      await sleep(300); // frames already in flight may still land
      const atOutage = frames.length;
      await sleep(1_700);
      expect(frames.length).toBe(atOutage);

      await server.restart();
      const backAt = Date.now();
      const recoveryMs = await until(() => frames.length > atOutage, 5_000, 'frames after the server returned');
      console.log(`first frame ${recoveryMs} ms after the RTSP server returned (restarts ${source.restarts})`);
      expect(Date.now() - backAt).toBeLessThan(5_000);
      expect(source.state).toBe('live');
      expect(source.restarts).toBeGreaterThanOrEqual(1);
      expect(source.framesDecoded).toBe(frames.length);

      const seqs = frames.map((fr) => fr.seq);
      expect(seqs).toEqual(seqs.map((_, i) => i)); // monotonic, no reuse across restarts
    } finally {
      await source.stop();
    }
    expect(source.state).toBe('stopped');
  });

  it('restarts a source whose stream stalls, and recovers once data flows again', async () => {
    const { source, frames, states } = watch({ cameraId: 'cam1', url: server.urlFor('cam1'), fps: 5, width: 320, stallSeconds: 1.5 });
    try {
      await until(() => frames.length >= 3, 15_000, 'first frames');
      // Only states after the pause count: a machine busy at start-up may already have stalled once.
      const fromState = states.length,
        restartsBefore = source.restarts;
      server.pause(); // connection stays open, no data: only the watchdog can notice
      const stallMs = await until(() => states.slice(fromState).some((s) => /stalled/.test(s.reason)), 6_000, 'the stall watchdog');
      expect(stallMs).toBeGreaterThanOrEqual(1_000);
      expect(source.restarts).toBeGreaterThan(restartsBefore);
      server.resume();
      const before = frames.length;
      const recoveryMs = await until(() => frames.length > before, 12_000, 'frames after the stall');
      console.log(`stall noticed after ${stallMs} ms, frames again ${recoveryMs} ms after resume`);
      expect(source.state).toBe('live');
    } finally {
      server.resume();
      await source.stop();
    }
  });
});

describe('CameraSource on a file', () => {
  it('plays a file in real time, looping, like a camera', async () => {
    const { source, frames } = watch({ cameraId: 'file', url: STREET, fps: 5, width: 160, loop: true });
    try {
      await until(() => frames.length >= 1, 10_000, 'first frame');
      const t0 = Date.now();
      const n0 = frames.length;
      await sleep(2_000);
      const rate = ((frames.length - n0) * 1000) / (Date.now() - t0);
      expect(rate).toBeGreaterThan(3);
      expect(rate).toBeLessThan(8); // realtime, not as fast as ffmpeg can decode
    } finally {
      await source.stop();
    }
  });

  it('stops at the end of a file that is not looped, and a throwing listener does not break it', async () => {
    const clip = join(mkdtempSync(join(tmpdir(), 'vigil-cam-')), 'short.mp4');
    async function* frames() {
      for await (const f of decodeFrames(STREET, { fps: 10, width: 160, maxFrames: 10 })) yield f.data;
    }
    await encodeVideo(frames(), { width: 160, height: 88, fps: 10, out: clip });

    const { source, frames: got, states } = watch({ cameraId: 'short', url: clip, fps: 10, width: 160, loop: false });
    source.on('frame', () => {
      throw new Error('listener bug');
    });
    await until(() => source.state === 'stopped', 10_000, 'end of file');
    expect(states.at(-1)!.reason).toBe('end of file');
    expect(got.length).toBeGreaterThanOrEqual(8);
    expect(source.restarts).toBe(0);
  });
});
