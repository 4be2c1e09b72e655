/**
 * Per-frame scoring cost of every registered detector member on every tfjs backend that loads here
 * (tfjs-node-gpu, tfjs-node, wasm, cpu), next to the cost of decoding the same analysed frame with ffmpeg
 * (decode only, same clip, rate and width). Each member is fitted once, then timed on each backend over
 * the same frames after a warm-up; then the default ensemble as one model (its members share the backbone
 * pass of a frame). Prints a table of ms/frame and score-to-decode ratios; `--json FILE` also writes them.
 * Usage: pnpm exec tsx test/bench/members.bench.ts [--clip footage/street.mp4] [--width 320] [--fps 5]
 *          [--fit-frames 60] [--frames 20] [--members padim,patchCore] [--batches 1,4] [--json out.json]
 * `--batches`: the backbone alone is also timed on batches of these many frames (one execute each), as the
 * worker's batcher runs it across cameras: a GPU's figure (scripts/gpu-check.sh passes 1,16,32,64).
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { decodeFrames } from '@vigil/video';
import {
  backboneLoadMs,
  clearObjectDetections,
  defaultBackboneInput,
  detectorKind,
  fitCameraModel,
  loadBackbone,
  detectorNames,
  framesWithPrev,
  SequenceMemory,
  initBackend,
  tf,
  withBackgrounds,
  type BackendName,
  type FrameInput,
} from '@vigil/anomaly';
import { REPO_ROOT } from '../support/vigilProcess.js';

const { values } = parseArgs({
  options: {
    clip: { type: 'string', default: join(REPO_ROOT, 'footage/street.mp4') },
    width: { type: 'string', default: '320' },
    fps: { type: 'string', default: '5' },
    'fit-frames': { type: 'string', default: '60' },
    frames: { type: 'string', default: '20' },
    members: { type: 'string' },
    batches: { type: 'string', default: '1,4' },
    json: { type: 'string' },
  },
});
const clip = values.clip!;
const width = Number(values.width),
  fps = Number(values.fps);
const fitCount = Number(values['fit-frames']),
  scoreCount = Number(values.frames);
// Backend packages are dependencies of @vigil/anomaly: resolve them from there, so they share its tfjs-core.
const anomalyRequire = createRequire(join(REPO_ROOT, 'packages/anomaly/package.json'));
const importFromAnomaly = async <T>(pkg: string): Promise<T> => (await import(pathToFileURL(anomalyRequire.resolve(pkg)).href)) as T;

/** Activates one backend, registering it first; false when its package or native library is absent. */
async function activate(name: BackendName): Promise<boolean> {
  try {
    if (name === 'tfjs-node-gpu' || name === 'tfjs-node') {
      await importFromAnomaly(`@tensorflow/${name}`);
      return await tf.setBackend('tensorflow');
    }
    if (name === 'wasm') {
      const wasm = await importFromAnomaly<{ setWasmPaths(prefix: string): void }>('@tensorflow/tfjs-backend-wasm');
      wasm.setWasmPaths(`${join(dirname(anomalyRequire.resolve('@tensorflow/tfjs-backend-wasm')), '/')}`);
      return await tf.setBackend('wasm');
    }
    return await tf.setBackend('cpu');
  } catch {
    return false;
  }
}

async function decodeOnly(): Promise<{ frames: Uint8Array[]; height: number; msPerFrame: number }> {
  const t0 = performance.now();
  const frames: Uint8Array[] = [];
  let height = 0;
  for await (const f of decodeFrames(clip, { fps, width })) {
    frames.push(f.data);
    height = f.height;
  }
  return { frames, height, msPerFrame: (performance.now() - t0) / frames.length };
}

/**
 * Fresh frame objects each time, a fresh feature memory, and no kept detections: the backbone keeps recent
 * frames' features and the objects member its detections by content, and flowHistogram keeps each frame's
 * descriptors in the frame's memory, any of which would flatter a second pass.
 */
function timeScoring(detector: { score(input: FrameInput): unknown }, inputs: FrameInput[]): number {
  clearObjectDetections();
  const warmMemory = new SequenceMemory();
  for (const input of inputs.slice(0, 2)) detector.score({ ...input, memory: warmMemory });
  const memory = new SequenceMemory();
  const fresh = inputs.map((input) => ({ ...input, memory }));
  const t0 = performance.now();
  for (const input of fresh) detector.score(input);
  return (performance.now() - t0) / inputs.length;
}

const best = await initBackend();
const decoded = await decodeOnly();
// As ingest hands frames over: each with its predecessor and the camera's background pair.
const inputs = withBackgrounds(framesWithPrev(decoded.frames, width, decoded.height));
if (inputs.length < fitCount + scoreCount) throw new Error(`clip has ${inputs.length} analysed frames, fewer than --fit-frames + --frames`);
const train = inputs.slice(0, fitCount),
  test = inputs.slice(fitCount, fitCount + scoreCount);
const members = values.members ? values.members.split(',') : detectorNames();
const batches = values.batches!.split(',').map(Number);
if (!batches.every((b) => Number.isInteger(b) && b >= 1)) throw new Error(`--batches: whole numbers ≥ 1, comma-separated, got ${values.batches}`);
process.stdout.write(`clip ${clip}: ${inputs.length} frames of ${width}x${decoded.height} at ${fps} fps; decode ${decoded.msPerFrame.toFixed(2)} ms/frame; best backend ${best}\n`);

const backends: BackendName[] = [];
for (const name of ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'] as const) if (await activate(name)) backends.push(name);
await tf.setBackend(best === 'tfjs-node-gpu' || best === 'tfjs-node' ? 'tensorflow' : best);

interface Row {
  member: string;
  fitMs: number;
  msPerFrame: Partial<Record<BackendName, number>>;
  error?: string;
}
const rows: Row[] = [];

// The shared cost of the backbone members: one CenterNet pass to the stride-16 layer per frame.
{
  const backbone = await loadBackbone(defaultBackboneInput(width, decoded.height));
  const row: Row = { member: 'backbone only', fitMs: NaN, msPerFrame: {} };
  for (const backend of backends) {
    await activate(backend);
    row.msPerFrame[backend] = timeScoring({ score: (input) => backbone.extract(input) }, test);
  }
  rows.push(row);
  for (const size of batches) {
    const batchRow: Row = { member: `backbone ×${size}`, fitMs: NaN, msPerFrame: {} };
    // Fresh objects of the clip's frames, cycled: one execute for the whole batch, timed after a warm-up.
    const batch = () => Array.from({ length: size }, (_, i) => ({ ...inputs[i % inputs.length]! }));
    for (const backend of backends) {
      await activate(backend);
      backbone.extract(batch());
      const runs = Math.max(1, Math.ceil(16 / size));
      const t0 = performance.now();
      for (let r = 0; r < runs; r++) backbone.extract(batch());
      batchRow.msPerFrame[backend] = (performance.now() - t0) / (runs * size);
    }
    rows.push(batchRow);
    process.stdout.write(`  backbone in batches of ${size}: ${backends.map((b) => `${b} ${batchRow.msPerFrame[b]!.toFixed(1)} ms/frame`).join(', ')}\n`);
  }
}
for (const name of members) {
  const row: Row = { member: name, fitMs: NaN, msPerFrame: {} };
  rows.push(row);
  try {
    await tf.setBackend(best === 'tfjs-node-gpu' || best === 'tfjs-node' ? 'tensorflow' : best);
    const t0 = performance.now();
    const detector = await detectorKind(name).fit(train);
    row.fitMs = performance.now() - t0;
    for (const backend of backends) {
      await activate(backend);
      row.msPerFrame[backend] = timeScoring(detector, test);
    }
  } catch (err) {
    row.error = err instanceof Error ? err.message : String(err);
  }
  process.stdout.write(`  ${name}: ${row.error ? `error: ${row.error}` : backends.map((b) => `${b} ${row.msPerFrame[b]!.toFixed(1)} ms`).join(', ')}\n`);
}

// The default ensemble as the worker runs it on every frame (a GPU, or a CPU frame that ran the backbone
// tier): its members share one backbone pass per frame.
{
  const row: Row = { member: 'default ensemble', fitMs: NaN, msPerFrame: {} };
  rows.push(row);
  await tf.setBackend(best === 'tfjs-node-gpu' || best === 'tfjs-node' ? 'tensorflow' : best);
  const t0 = performance.now();
  const model = await fitCameraModel(train, { cameraId: 'bench' });
  row.fitMs = performance.now() - t0;
  for (const backend of backends) {
    await activate(backend);
    row.msPerFrame[backend] = timeScoring(model, test);
  }
  process.stdout.write(`  default ensemble (${model.manifest.members.map((m) => m.name).join(', ')}): ${backends.map((b) => `${b} ${row.msPerFrame[b]!.toFixed(1)} ms`).join(', ')}\n`);
}

const pad = (s: string, n: number) => s.padEnd(n);
const header = [pad('member', 16), pad('fit s', 8), ...backends.flatMap((b) => [pad(`${b} ms`, 14), pad('× decode', 9)])].join(' ');
process.stdout.write(`\n${header}\n${'-'.repeat(header.length)}\n`);
process.stdout.write(`${[pad('decode (ffmpeg)', 16), pad('', 8), ...backends.flatMap(() => [pad(decoded.msPerFrame.toFixed(2), 14), pad('1.0', 9)])].join(' ')}\n`);
for (const r of rows) {
  const cells = backends.flatMap((b) => {
    const ms = r.msPerFrame[b];
    return ms === undefined ? [pad('—', 14), pad('—', 9)] : [pad(ms.toFixed(2), 14), pad((ms / decoded.msPerFrame).toFixed(1), 9)];
  });
  process.stdout.write(`${[pad(r.member, 16), pad(Number.isFinite(r.fitMs) ? (r.fitMs / 1000).toFixed(1) : '—', 8), ...cells].join(' ')}${r.error ? `  (${r.error})` : ''}\n`);
}
process.stdout.write(`backbone graph load ${backboneLoadMs().toFixed(0)} ms\n`);

if (values.json) {
  writeFileSync(
    values.json,
    JSON.stringify(
      {
        clip,
        width,
        height: decoded.height,
        fps,
        fitFrames: fitCount,
        scoredFrames: scoreCount,
        bestBackend: best,
        backends,
        decodeMsPerFrame: decoded.msPerFrame,
        backboneLoadMs: backboneLoadMs(),
        members: rows.map((r) => ({ ...r, ratioToDecode: Object.fromEntries(Object.entries(r.msPerFrame).map(([b, ms]) => [b, ms / decoded.msPerFrame])) })),
      },
      null,
      2,
    ) + '\n',
  );
}
