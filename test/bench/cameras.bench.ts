/**
 * Cameras per machine: N live cameras (the local GStreamer RTSP server playing real footage, one mount
 * per camera) at 5 fps through real `vigil ingest` and `vigil worker` processes with the default model,
 * N stepped up until frames are dropped or scoring falls behind. For each N, over a window of steady
 * state: frames in, scored and dropped; capture → scored latency p50/p99 (a score-timeline entry's
 * append time against its capture time); CPU of ingest (with its ffmpeg decoders) and of the worker, per
 * camera; Redis bytes a frame costs (its bytes, its background pair, its features). Next to it, decoding
 * alone: how many 5-fps cameras ffmpeg could feed on this machine. The test camera's RTSP server and its
 * feeders run on the same machine and take CPU of their own (reported apart).
 * The first camera plays the clip with a vehicle driving into the near lane and stopping there for 8 s, twice
 * a loop: capture → alert is the time from the capture of an alert's first anomalous frame to its `open`
 * event on the alert stream (the lifecycle's confirmation is part of it: by default 3 frames over the
 * threshold within 1.5 s, at least 0.4 s at 5 fps). The window
 * starts once the background pair has seen half a minute of footage (before that it judges nothing).
 * Worker processes: one per core by default (`--workers`), as a machine is deployed: a worker scores on one
 * thread, so one process cannot use a second core.
 * Usage: npx tsx test/bench/cameras.bench.ts [--from 1] [--max 10] [--seconds 30] [--workers <cores>] [--budget-ms 1000] [--clip footage/street.mp4] [--json out.json]
 * The latency budget: capture → scored p99 (an alert cannot open before its frames are scored; at 5 fps a
 * second is five frames behind).
 */
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { redisKeys } from '@vigil/core';
import { cameraModelsDir, newestVersionIn, renderInjectedVideo, type AnomalySpec } from '@vigil/anomaly';
import { decodeFrames, LocalRtspServer } from '@vigil/video';
import { REPO_ROOT, runVigil, startVigil, writeVigilConfig, type VigilProcess } from '../support/vigilProcess.js';
import { waitFor } from '../support/waitFor.js';

const { values } = parseArgs({
  options: {
    from: { type: 'string', default: '1' },
    max: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '30' },
    workers: { type: 'string', default: String(availableParallelism()) },
    'budget-ms': { type: 'string', default: '1000' },
    clip: { type: 'string', default: join(REPO_ROOT, 'footage/street.mp4') },
    json: { type: 'string' },
  },
});
const FROM = Number(values.from);
const MAX = Number(values.max);
const WINDOW_S = Number(values.seconds);
const WORKERS = Number(values.workers);
const BUDGET_MS = Number(values['budget-ms']);
if (!(BUDGET_MS > 0)) throw new Error(`--budget-ms must be a number of milliseconds > 0, got ${values['budget-ms']}`);
if (!(Number.isInteger(WORKERS) && WORKERS >= 1)) throw new Error(`--workers must be a whole number ≥ 1, got ${values.workers}`);
const clip = values.clip!;
const FPS = 5;
const WIDTH = 320;
const REDIS_URL = 'redis://127.0.0.1:6379';
const CLK_TCK = 100;
/** The background pair's warm-up (backgroundPair's minSeconds, 30 s) and a little more. */
const PAIR_WARM_MS = 33_000;

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
  /** Alerts opened in the window on the camera with injected objects, and capture → alert of each (p99 over them). */
  injectedAlerts: number;
  alertLatencyP99Ms: number | null;
  /** Alerts opened on the other cameras (plain footage: false alarms). */
  otherAlerts: number;
  ingestCpuPerCamera: number;
  workerCpuPerCamera: number;
  rigCpu: number;
  redisBytesPerFrame: number;
}

async function step(n: number, modelDir: string, injectedClip: string, redis: Redis): Promise<Step> {
  const ns = `bench-${randomBytes(4).toString('hex')}`;
  const keys = redisKeys(ns);
  const work = mkdtempSync(join(tmpdir(), 'vigil-cameras-bench-'));
  const ids = Array.from({ length: n }, (_, i) => `cam${i + 1}`);
  // Every camera gets the one model fitted on the clip (as if each had learned its own view).
  for (const id of ids) cpSync(modelDir, join(cameraModelsDir(join(work, 'data'), id), 'v1'), { recursive: true });
  const rtsp = await LocalRtspServer.start({ mounts: ids.map((id, i) => ({ path: id, file: i === 0 ? injectedClip : clip, loop: true })) });
  const configFile = writeVigilConfig(work, {
    namespace: ns,
    dataDir: join(work, 'data'),
    redis: { url: REDIS_URL },
    gateway: { tokens: [{ token: 'bench-token', role: 'admin' }] },
    worker: { concurrency: 2 },
    cameras: ids.map((id) => ({ id, url: rtsp.urlFor(id), fps: FPS, width: WIDTH })),
  });
  const roles = ['ingest', ...Array.from({ length: WORKERS }, () => 'worker')];
  const services: VigilProcess[] = roles.map((s, i) => startVigil([s, '--config', configFile], join(work, `${s}${i}.log`)));
  const startedAt = Date.now();
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
    // The background pair judges nothing before half a minute of footage: the window starts after it.
    await new Promise((r) => setTimeout(r, Math.max(0, startedAt + PAIR_WARM_MS - Date.now())));
    const [in0, scored0, dropped0] = await counters();
    const [ingestPid, ...workerPids] = services.map((s) => s.child.pid!);
    const cpu = () => [treeCpuSeconds(ingestPid!), workerPids.reduce((a, p) => a + treeCpuSeconds(p), 0)];
    const cpu0 = cpu();
    const rig0 = rigCpuSeconds([ingestPid!, ...workerPids]);
    const startMs = Date.now();
    await new Promise((r) => setTimeout(r, WINDOW_S * 1000));
    const seconds = (Date.now() - startMs) / 1000;
    const [in1, scored1, dropped1] = await counters();
    const cpu1 = cpu();
    const rig1 = rigCpuSeconds([ingestPid!, ...workerPids]);
    // Capture → scored: each timeline entry's id is its append time (after scoring), its `t` the capture time.
    const latencies: number[] = [];
    for (const id of ids) {
      for (const [entryId, fields] of await redis.xrange(keys.scoreTimeline(id), String(startMs), '+')) {
        const t = (JSON.parse(fields[fields.indexOf('s') + 1]!) as { t: number }).t;
        latencies.push(Number(entryId.split('-')[0]) - t);
      }
    }
    latencies.sort((a, b) => a - b);
    // Capture → alert: each anomaly alert opened in the window, from its first anomalous frame's capture to its event's append.
    const alertLatencies: number[] = [];
    let otherAlerts = 0;
    for (const [entryId, fields] of await redis.xrange(keys.alertEvents, String(startMs), '+')) {
      const ev = JSON.parse(fields[fields.indexOf('event') + 1]!) as { event: string; alert: { cameraId: string; startedAt: string; kind?: string } };
      if (ev.event !== 'open' || (ev.alert.kind ?? 'anomaly') !== 'anomaly') continue;
      if (ev.alert.cameraId === ids[0]) alertLatencies.push(Number(entryId.split('-')[0]) - Date.parse(ev.alert.startedAt));
      else otherAlerts++;
    }
    alertLatencies.sort((a, b) => a - b);
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
      injectedAlerts: alertLatencies.length,
      alertLatencyP99Ms: alertLatencies.length ? Math.round(percentile(alertLatencies, 0.99)) : null,
      otherAlerts,
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
// A car-sized object that drives into the near lane and stands there 8 s, twice a loop of the clip.
const injected: AnomalySpec[] = [6, 25].map((startSeconds) => ({
  kind: 'stopped-vehicle',
  startSeconds,
  durationSeconds: 8,
  size: { width: 0.15, height: 0.14 },
  position: { x: 0.6, y: 0.72 },
  velocity: { x: 0.08, y: 0.1 },
  enterSeconds: 1,
}));
const injectedClip = join(modelRoot, 'injected.mp4');
await renderInjectedVideo({ src: clip, out: injectedClip, anomalies: injected });
const decodeFps = await decodeOnlyFps();
const steps: Step[] = [];
for (let n = FROM; n <= MAX; n++) {
  const s = await step(n, modelDir, injectedClip, redis);
  steps.push(s);
  process.stdout.write(
    `N=${n}: in ${s.framesIn}, scored ${s.scored}, dropped ${s.dropped} (${s.inPerCameraPerSecond} frames/s a camera); capture→scored p50 ${s.latencyP50Ms} ms, p99 ${s.latencyP99Ms} ms; ` +
      `capture→alert p99 ${s.alertLatencyP99Ms ?? '—'} ms over ${s.injectedAlerts} injected-object alerts (${s.otherAlerts} alerts on the other cameras); ` +
      `CPU a camera: ingest ${s.ingestCpuPerCamera}, worker ${s.workerCpuPerCamera} cores (test camera rig ${s.rigCpu} cores); Redis ${s.redisBytesPerFrame} bytes a frame\n`,
  );
  // Falling behind: frames dropped, or fewer scored than came in (a backlog growing).
  if (s.dropped > 0 || s.scored < s.framesIn * 0.95) break;
}
const kept = steps.filter((s) => s.dropped === 0 && s.scored >= s.framesIn * 0.95);
const largest = kept.at(-1)?.cameras ?? 0;
const withinBudget = kept.filter((s) => s.latencyP99Ms <= BUDGET_MS).at(-1)?.cameras ?? 0;
process.stdout.write(`largest N with no drops and capture→scored p99 within ${BUDGET_MS} ms: ${withinBudget} cameras\n`);
process.stdout.write(
  `largest N with no drops and scoring keeping up: ${largest} cameras at ${FPS} fps (${WIDTH} px, ${WORKERS} worker processes); decode alone: ${decodeFps.toFixed(1)} frames/s = ${Math.floor(decodeFps / FPS)} cameras at ${FPS} fps\n`,
);
if (values.json)
  writeFileSync(
    values.json,
    JSON.stringify(
      { clip: clip.replace(REPO_ROOT, ''), fps: FPS, width: WIDTH, workers: WORKERS, windowSeconds: WINDOW_S, budgetMs: BUDGET_MS, decodeOnlyFps: +decodeFps.toFixed(1), steps, largest, withinBudget },
      null,
      2,
    ),
  );
redis.disconnect();
rmSync(modelRoot, { recursive: true, force: true });
process.exit(0);
