import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSyntheticDataset } from '@vigil/anomaly';
import { REPO_ROOT, runVigil } from '../support/vigilProcess.js';
import { expectOneClearLine } from './cliErrors.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-eval-'));
const dataset = join(dir, 'set');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  // Tiny: one clip at 160 px and 3 fps — about 70 training and 120 test frames.
  await writeSyntheticDataset({ out: dataset, sources: [join(REPO_ROOT, 'footage/street.mp4')], width: 160, fps: 3 });
}, 60_000);

describe('vigil eval', () => {
  it('trains on Train, scores Test and writes frame and pixel AUROC, AP, speed and the model to JSON', () => {
    const json = join(dir, 'report.json');
    const r = runVigil(['eval', '--dataset', dataset, '--json', json, '--members', 'patchGaussian', '--width', '160'], 120_000);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(json, 'utf8')) as Record<string, unknown> & {
      frameAUROC: number;
      pixelAUROC: number;
      frameAP: number;
      framesPerSecond: number;
      trainSeconds: number;
      backend: string;
      model: { version: string; members: string[] };
      members: Record<string, { frameAUROC: number; pixelAUROC: number }>;
      testFrames: number;
      anomalousFrames: number;
      frame: { width: number; height: number };
      instant: { frameAUROC: number };
      rocPoints: { falsePositiveRate: number; recall: number }[];
    };
    for (const key of ['frameAUROC', 'frameAP', 'pixelAUROC']) {
      const v = report[key] as number;
      expect(v, key).toBeGreaterThanOrEqual(0);
      expect(v, key).toBeLessThanOrEqual(1);
    }
    expect(report.rocPoints.map((p) => p.falsePositiveRate)).toEqual([0.01, 0.02]);
    // More normal frames allowed never finds fewer anomalous ones.
    expect(report.rocPoints[1]!.recall).toBeGreaterThanOrEqual(report.rocPoints[0]!.recall);
    expect(report.rocPoints[1]!.recall).toBeLessThanOrEqual(1);
    expect(r.stdout).toMatch(/on its ROC curve: \d+\.\d % of anomalous frames at 1\.0 % of normal ones/);
    expect(report.framesPerSecond).toBeGreaterThan(0);
    expect(report.trainSeconds).toBeGreaterThan(0);
    expect(['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu']).toContain(report.backend);
    expect(report.model.members).toEqual(['patchGaussian']);
    expect(report.model.version).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{8}$/);
    expect(report.frame).toEqual({ width: 160, height: 88 });
    expect(report.testFrames).toBe(3 * 40);
    expect(report.anomalousFrames).toBeGreaterThan(0);
    // One member: the ensemble before the temporal stage is that member.
    expect(report.members.patchGaussian!.frameAUROC).toBe(report.instant.frameAUROC);
    expect(report.members.patchGaussian!.pixelAUROC).toBe(report.pixelAUROC);
    // The figures, printed for the reader (not asserted beyond their range).
    console.log(`tiny synth set, patchGaussian at 160 px: frame AUROC ${report.frameAUROC}, pixel AUROC ${report.pixelAUROC}, ${report.framesPerSecond} frames/s`);
    expect(r.stdout).toMatch(/ensemble\s+\d\.\d{3}\s+\d\.\d{3}\s+\d\.\d{3}/);
  }, 130_000);

  it('names a missing dataset folder in one line', () => {
    expectOneClearLine(runVigil(['eval', '--dataset', join(dir, 'nope')]), /nope does not exist/);
  });

  it('names an unknown member before doing any work', () => {
    expectOneClearLine(runVigil(['eval', '--dataset', dataset, '--members', 'patchGaussian,noSuchDetector']), /--members: unknown detector noSuchDetector \(known: .*patchGaussian/);
  });
});
