import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CameraSource, sourceFault, type CameraStateChange, type SourceFault } from '../src/index.js';

describe('why a camera delivers no frames', () => {
  it('names the fault from ffmpeg and watchdog reasons', () => {
    const cases: [string, SourceFault][] = [
      ['rtsp://127.0.0.1:1/cam: Connection refused; retry in 1000 ms', 'refused'],
      ['/data/cam.mp4: No such file or directory; retry in 1000 ms', 'not-found'],
      ['method DESCRIBE failed: 404 Not Found', 'not-found'],
      ['method DESCRIBE failed: 401 Unauthorized', 'unauthorized'],
      ['/tmp/rnd.mp4: Invalid data found when processing input', 'not-video'],
      ['rtsp://10.0.0.9/cam: Connection timed out', 'timeout'],
      ['stalled: no frame for 10.3 s; retry in 2000 ms', 'stalled'],
      ['stream ended; retry in 500 ms', 'ended'],
      ['something odd', 'error'],
    ];
    for (const [reason, fault] of cases) expect(sourceFault(reason), reason).toBe(fault);
  });

  it('reports refused, not-found and not-video apart for real sources', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-faults-'));
    const noise = join(dir, 'noise.mp4');
    writeFileSync(noise, randomBytes(200_000));
    const urls: [string, SourceFault][] = [
      ['rtsp://127.0.0.1:1/cam', 'refused'],
      [join(dir, 'missing.mp4'), 'not-found'],
      [noise, 'not-video'],
    ];
    const faults = await Promise.all(
      urls.map(
        ([url]) =>
          new Promise<CameraStateChange>((resolve) => {
            const source = new CameraSource({ cameraId: 'c', url, fps: 5, width: 160, loop: true });
            source.on('state', (s) => {
              if (s.state !== 'reconnecting') return;
              void source.stop();
              resolve(s);
            });
            source.start();
          }),
      ),
    );
    expect(faults.map((s) => s.fault)).toEqual(urls.map(([, f]) => f));
  }, 30_000);
});
