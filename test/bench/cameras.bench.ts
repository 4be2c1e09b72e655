/**
 * Cameras per machine: N live cameras (the local GStreamer RTSP server playing real footage, one mount
 * per camera) at 5 fps through real `vigil ingest` and `vigil worker` processes with the default model,
 * N stepped up until frames are dropped or scoring falls behind. For each N, over a window of steady
 * state: frames in, scored and dropped; capture → scored latency p50/p99 (a score-timeline entry's
 * append time against its capture time); CPU of ingest (with its ffmpeg decoders) and of the worker, per
 * camera; Redis bytes a frame costs (its bytes, its background pair, its features). Next to it, decoding
 * alone: how many 5-fps cameras ffmpeg could feed on this machine. The test camera's RTSP server and its
 * feeders run on the same machine and take CPU of their own (reported apart).
 * Usage: npx tsx test/bench/cameras.bench.ts [--from 1] [--max 10] [--seconds 30] [--clip footage/street.mp4] [--json out.json]
 */
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { redisKeys } from '@vigil/core';
import { cameraModelsDir, newestVersionIn } from '@vigil/anomaly';
import { decodeFrames, LocalRtspServer } from '@vigil/video';
import { REPO_ROOT, runVigil, startVigil, writeVigilConfig, type VigilProcess } from '../support/vigilProcess.js';
import { waitFor } from '../support/waitFor.js';

const { values } = parseArgs({
  options: {
    from: { type: 'string', default: '1' },
    max: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '30' },
    clip: { type: 'string', default: join(REPO_ROOT, 'footage/street.mp4') },
    json: { type: 'string' },
  },
});
const FROM = Number(values.from);
const MAX = Number(values.max);
const WINDOW_S = Number(values.seconds);
const clip = values.clip!;
const FPS = 5;
const WIDTH = 320;
const REDIS_URL = 'redis://127.0.0.1:6379';
const CLK_TCK = 100;

/** CPU seconds (user + system) of a process and all its descendants, from /proc. */
function treeCpuSeconds(pid: number): number {
  const children = new Map<number, number[]>();
  let total = 0;
  const stat = new Map<number, string[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const text = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
      stat.set(Number(entry), fields);
      const ppid = Number(fields[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // Gone meanwhile.
    }
  }
  const walk = (p: number) => {
    const f = stat.get(p);
    if (f) total += (Number(f[11]) + Number(f[12])) / CLK_TCK;
    for (const c of children.get(p) ?? []) walk(c);
  };
  walk(pid);
  return total;
}

/** The test camera's CPU: this process's descendants (the RTSP server and its feeders) but the vigil services. */
function rigCpuSeconds(services: number[]): number {
  const own = readFileSync('/proc/self/stat', 'utf8');
  const f = own.slice(own.lastIndexOf(')') + 2).split(' ');
  const self = (Number(f[11]) + Number(f[12])) / CLK_TCK;
  return treeCpuSeconds(process.pid) - self - services.reduce((a, pid) => a + treeCpuSeconds(pid), 0);
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function decodeOnlyFps(): Promise<number> {
  const t0 = performance.now();
  let frames = 0;
  for await (const _ of decodeFrames(clip, { fps: FPS, width: WIDTH })) frames++;
  return frames / ((performance.now() - t0) / 1000);
}

interface Step {
  cameras: number;
  framesIn: number;
  scored: number;
  dropped: number;
  /** Frames in a camera delivered a second, on average. */
  inPerCameraPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  ingestCpuPerCamera: number;
  workerCpuPerCamera: number;
  rigCpu: number;
  redisBytesPerFrame: number;
}

async function step(n: number, modelDir: string, redis: Redis): Promise<Step> {
  const ns = `bench-${randomBytes(4).toString('hex')}`;
  const keys = redisKeys(ns);
  const work = mkdtempSync(join(tmpdir(), 'vigil-cameras-bench-'));
  const ids = Array.from({ length: n }, (_, i) => `cam${i + 1}`);
  // Every camera gets the one model fitted on the clip (as if each had learned its own view).
  for (const id of ids) cpSync(modelDir, join(cameraModelsDir(join(work, 'data'), id), 'v1'), { recursive: true });
  const rtsp = await LocalRtspServer.start({ mounts: ids.map((id) => ({ path: id, file: clip, loop: true })) });
  const configFile = writeVigilConfig(work, {
    namespace: ns,
    dataDir: join(work, 'data'),
    redis: { url: REDIS_URL },
    gateway: { tokens: [{ token: 'bench-token', role: 'admin' }] },
    worker: { concurrency: 2 },
    cameras: ids.map((id) => ({ id, url: rtsp.urlFor(id), fps: FPS, width: WIDTH })),
  });
  const services: VigilProcess[] = ['ingest', 'worker'].map((s) => startVigil([s, '--config', configFile], join(work, `${s}.log`)));
  const counters = async () => {
    const rows = await Promise.all(ids.map((id) => redis.hmget(keys.cameraStatus(id), 'framesIn', 'scored', 'dropped')));
    const sum = (i: number) => rows.reduce((a, r) => a + Number(r[i] ?? 0), 0);
    return [sum(0), sum(1), sum(2)] as const;
  };
  try {
    await waitFor(
      `${n} cameras scoring`,
      async () => ((await Promise.all(ids.map((id) => redis.hget(keys.cameraStatus(id), 'scored')))).every((s) => Number(s ?? 0) > 10) ? true : undefined),
      180_000,
    );
    const [in0, scored0, dropped0] = await counters();
    const [ingestPid, workerPid] = services.map((s) => s.child.pid!);
    const cpu0 = [treeCpuSeconds(ingestPid!), treeCpuSeconds(workerPid!)];
    const rig0 = rigCpuSeconds([ingestPid!, workerPid!]);
    const startMs = Date.now();
    await new Promise((r) => setTimeout(r, WINDOW_S * 1000));
    const seconds = (Date.now() - startMs) / 1000;
    const [in1, scored1, dropped1] = await counters();
    const cpu1 = [treeCpuSeconds(ingestPid!), treeCpuSeconds(workerPid!)];
    const rig1 = rigCpuSeconds([ingestPid!, workerPid!]);
    // Capture → scored: each timeline entry's id is its append time (after scoring), its `t` the capture time.
    const latencies: number[] = [];
    for (const id of ids) {
      for (const [entryId, fields] of await redis.xrange(keys.scoreTimeline(id), String(startMs), '+')) {
        const t = (JSON.parse(fields[fields.indexOf('s') + 1]!) as { t: number }).t;
        latencies.push(Number(entryId.split('-')[0]) - t);
      }
    }
    latencies.sort((a, b) => a - b);
    // A live frame's bytes in Redis: the frame, its background pair, its features.
    const frameKeys = await redis.keys(`${keys.frame(ids[0]!, 0).replace(/:0$/, '')}:*`);
    const sample = frameKeys.find((k) => !k.endsWith(':bg'));
    const featureKeys = sample ? await redis.keys(`${ns}:features:${ids[0]}:*:${sample.split(':').at(-1)}`) : [];
    const bytes = sample ? (await Promise.all([sample, `${sample}:bg`, ...featureKeys].map((k) => redis.strlen(k)))).reduce((a, b) => a + b, 0) : NaN;
    return {
      cameras: n,
      framesIn: in1 - in0,
      scored: scored1 - scored0,
      dropped: dropped1 - dropped0,
      inPerCameraPerSecond: +((in1 - in0) / n / seconds).toFixed(2),
      latencyP50Ms: Math.round(percentile(latencies, 0.5)),
      latencyP99Ms: Math.round(percentile(latencies, 0.99)),
      ingestCpuPerCamera: +((cpu1[0]! - cpu0[0]!) / seconds / n).toFixed(3),
      workerCpuPerCamera: +((cpu1[1]! - cpu0[1]!) / seconds / n).toFixed(3),
      rigCpu: +((rig1 - rig0) / seconds).toFixed(3),
      redisBytesPerFrame: bytes,
    };
  } finally {
    await Promise.all(services.map((s) => s.stop()));
    await rtsp.stop();
    const left = [...(await redis.keys(`${ns}*`)), ...(await redis.keys(`bull:${ns}*`))];
    if (left.length) await redis.del(...left);
    rmSync(work, { recursive: true, force: true });
  }
}

const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
const modelRoot = mkdtempSync(join(tmpdir(), 'vigil-cameras-model-'));
const trained = runVigil(['train', '--camera', 'bench', '--input', clip, '--out', modelRoot, '--seconds', '20', '--fps', String(FPS), '--width', String(WIDTH)], 300_000);
if (trained.status !== 0) throw new Error(`vigil train failed: ${trained.stderr}`);
const modelDir = join(modelRoot, newestVersionIn(modelRoot)!);
const decodeFps = await decodeOnlyFps();
const steps: Step[] = [];
for (let n = FROM; n <= MAX; n++) {
  const s = await step(n, modelDir, redis);
  steps.push(s);
  process.stdout.write(
    `N=${n}: in ${s.framesIn}, scored ${s.scored}, dropped ${s.dropped} (${s.inPerCameraPerSecond} frames/s a camera); capture→scored p50 ${s.latencyP50Ms} ms, p99 ${s.latencyP99Ms} ms; ` +
      `CPU a camera: ingest ${s.ingestCpuPerCamera}, worker ${s.workerCpuPerCamera} cores (test camera rig ${s.rigCpu} cores); Redis ${s.redisBytesPerFrame} bytes a frame\n`,
  );
  // Falling behind: frames dropped, or fewer scored than came in (a backlog growing).
  if (s.dropped > 0 || s.scored < s.framesIn * 0.95) break;
}
const kept = steps.filter((s) => s.dropped === 0 && s.scored >= s.framesIn * 0.95);
const largest = kept.at(-1)?.cameras ?? 0;
process.stdout.write(
  `largest N with no drops and scoring keeping up: ${largest} cameras at ${FPS} fps (${WIDTH} px); decode alone: ${decodeFps.toFixed(1)} frames/s = ${Math.floor(decodeFps / FPS)} cameras at ${FPS} fps\n`,
);
if (values.json)
  writeFileSync(values.json, JSON.stringify({ clip: clip.replace(REPO_ROOT, ''), fps: FPS, width: WIDTH, windowSeconds: WINDOW_S, decodeOnlyFps: +decodeFps.toFixed(1), steps, largest }, null, 2));
redis.disconnect();
rmSync(modelRoot, { recursive: true, force: true });
process.exit(0);
