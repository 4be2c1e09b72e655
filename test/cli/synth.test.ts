import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readUcsdDataset } from '@vigil/anomaly';
import { REPO_ROOT, runVigil } from '../support/vigilProcess.js';
import { expectOneClearLine } from './cliErrors.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-synth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('vigil synth', () => {
  it('writes a UCSD-layout dataset from real footage: clean Train clips, Test clips with masks, labels.json', () => {
    const out = join(dir, 'set');
    const r = runVigil(['synth', '--out', out, '--source', join(REPO_ROOT, 'footage/street.mp4'), '--width', '160', '--fps', '3'], 60_000);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/vigil synth: wrote .*Train 2 clips .*Test 3 clips .*160x88 at 3 fps/);

    expect(readdirSync(join(out, 'Train')).sort()).toEqual(['street_train1', 'street_train2']);
    expect(readdirSync(join(out, 'Test')).sort()).toEqual(['street_test1', 'street_test1_gt', 'street_test2', 'street_test2_gt', 'street_test3', 'street_test3_gt']);
    const labels = JSON.parse(readFileSync(join(out, 'labels.json'), 'utf8')) as Record<string, [number, number][]>;
    expect(Object.keys(labels).sort()).toEqual(['street_test1', 'street_test2', 'street_test3']);

    // The dataset reads back with the same reader `vigil eval` uses: every test clip has masks, some frames are anomalous and some clean.
    const ds = readUcsdDataset(out);
    expect(ds.hasMasks).toBe(true);
    for (const clip of ds.test) {
      expect(clip.maskFiles).toHaveLength(clip.files.length);
      const anomalous = clip.labels.filter(Boolean).length;
      expect(anomalous).toBeGreaterThan(0.3 * clip.files.length);
      expect(anomalous).toBeLessThan(clip.files.length);
      expect(clip.files[0]).toMatch(/001\.png$/);
    }
    // Train and Test never share footage: 113 frames at 3 fps, 65 % to Train.
    const trainFrames = ds.train.reduce((n, c) => n + c.files.length, 0);
    expect(trainFrames + ds.test[0]!.files.length).toBe(113);

    // By default the anomalies are the footage's own vehicles, cut out and put where they do not belong.
    expect(r.stdout).toMatch(/real vehicles: /);
    const meta = JSON.parse(readFileSync(join(out, 'synth.json'), 'utf8')) as { objects: string; test: { anomalies: { kind: string; source?: { frame: number } }[] }[] };
    expect(meta.objects).toBe('real');
    const kinds = new Set(meta.test.flatMap((c) => c.anomalies.map((a) => a.kind)));
    expect([...kinds].sort()).toEqual(['shoulder', 'stopped-vehicle', 'wrong-way']);
    expect(meta.test.every((c) => c.anomalies.every((a) => a.source && Number.isInteger(a.source.frame)))).toBe(true);
  });

  it('paints shapes of five kinds with --drawn', () => {
    const out = join(dir, 'drawn');
    const r = runVigil(['synth', '--out', out, '--source', join(REPO_ROOT, 'footage/street.mp4'), '--width', '160', '--fps', '3', '--drawn'], 60_000);
    expect(r.status, r.stderr).toBe(0);
    const meta = JSON.parse(readFileSync(join(out, 'synth.json'), 'utf8')) as { objects: string; test: { anomalies: { kind: string }[] }[] };
    expect(meta.objects).toBe('drawn');
    expect(new Set(meta.test.flatMap((c) => c.anomalies.map((a) => a.kind))).size).toBeGreaterThanOrEqual(4);
  });

  it('says which source is missing, in one line', () => {
    const r = runVigil(['synth', '--out', join(dir, 'bad'), '--source', join(dir, 'nope.mp4')]);
    expectOneClearLine(r, /nope\.mp4/);
    expect(existsSync(join(dir, 'bad', 'labels.json'))).toBe(false);
  });
});
