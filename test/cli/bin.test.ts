/** `npx vigil` works after `pnpm install`: the workspace links services/cli's bin, which runs the sources through tsx. */
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/vigilProcess.js';

const BIN = join(REPO_ROOT, 'node_modules', '.bin', 'vigil');

describe('the vigil bin', () => {
  it('lists the commands', () => {
    const help = execFileSync(BIN, ['--help'], { cwd: REPO_ROOT, encoding: 'utf8' });
    for (const command of ['train', 'review', 'eval', 'synth', 'up', 'ingest', 'worker', 'gateway']) expect(help).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
  });

  it('reports a usage error in one line with exit code 2', () => {
    const run = spawnSync(BIN, ['train', '--camera', 'bad id!', '--input', 'nowhere.mp4', '--out', 'x'], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^vigil: --camera "bad id!": must be 1–64 letters/)]);
  });
});
