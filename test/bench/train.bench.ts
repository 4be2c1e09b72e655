/**
 * Training cost at camera scale: `vigil train` on 2,500 frames of real footage (street.mp4 at its native
 * 24 fps, looped to 104.2 s), run as the operator would run it, timed from process start to model on disk.
 * Prints the seconds and the manifest's training summary; `--json FILE` also writes them.
 * Usage: npx tsx test/bench/train.bench.ts [--members a,b] [--frames 2500] [--json out.json]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../support/vigilProcess.js';

const { values } = parseArgs({
  options: {
    members: { type: 'string' },
    frames: { type: 'string', default: '2500' },
    json: { type: 'string' },
  },
});
const FPS = 24;
const frames = Number(values.frames);
const out = mkdtempSync(join(tmpdir(), 'vigil-train-bench-'));
const args = ['--import', 'tsx', join(REPO_ROOT, 'services/cli/src/main.ts'), 'train', '--camera', 'bench', '--input', join(REPO_ROOT, 'footage/street.mp4')];
args.push('--fps', String(FPS), '--seconds', String(frames / FPS), '--out', out);
if (values.members) args.push('--members', values.members);

const t0 = performance.now();
const r = spawnSync(process.execPath, args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
const seconds = (performance.now() - t0) / 1000;
if (r.status !== 0) {
  process.stderr.write(`train bench: vigil train exited ${r.status}\n`);
  process.exit(1);
}
const manifest = JSON.parse(readFileSync(join(out, readdirSync(out)[0]!, 'manifest.json'), 'utf8')) as { training: Record<string, unknown> };
rmSync(out, { recursive: true, force: true });
const result = { frames, wallSeconds: Math.round(seconds * 10) / 10, training: manifest.training };
process.stdout.write(
  `train bench: ${frames} frames in ${result.wallSeconds} s wall (fit ${String(manifest.training.trainSeconds)} s; members ${String(manifest.training.members)}; ${String(manifest.training.backend)})\n`,
);
if (values.json) writeFileSync(values.json, JSON.stringify(result, null, 2) + '\n');
