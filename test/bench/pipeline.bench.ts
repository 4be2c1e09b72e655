/**
 * Throughput on real footage, measured in one run: ffmpeg decode alone (the floor any pipeline pays) against
 * the full pipeline (decode → Redis + BullMQ → worker scoring → regions → alert lifecycle), same clip, same
 * analysis size. Prints frames per second of each and their ratio; `--json FILE` also writes them.
 * Usage: pnpm bench [--clip footage/street.mp4] [--width 320] [--json out.json]
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { parseConfig, redisKeys, type Frame, type FrameJob } from '@vigil/core';
import { decodeFrames, probeVideo } from '@vigil/video';
import { fitCameraModel, modelVersionDir, saveCameraModel, type FrameInput } from '@vigil/anomaly';
import { FramePublisher } from '@vigil/ingest';
import { startWorker } from '@vigil/worker';
import { REPO_ROOT } from '../support/vigilProcess.js';

const { values } = parseArgs({
  options: {
    clip: { type: 'string', default: join(REPO_ROOT, 'footage/street.mp4') },
    width: { type: 'string', default: '320' },
    json: { type: 'string' },
  },
});
const clip = values.clip!;
const width = Number(values.width);
const info = await probeVideo(clip);
const fps = info.fps;

async function decodeOnly(): Promise<{ frames: number; seconds: number }> {
  const t0 = performance.now();
  let frames = 0;
  for await (const _ of decodeFrames(clip, { fps, width })) frames++;
  return { frames, seconds: (performance.now() - t0) / 1000 };
}

async function fullPipeline(): Promise<{ frames: number; seconds: number; dropped: number }> {
  const ns = `bench-${randomBytes(4).toString('hex')}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-bench-'));
  const config = parseConfig({
    namespace: ns,
    dataDir,
    gateway: { tokens: [{ token: 'bench-token', role: 'admin' }] },
    ingest: { maxInFlight: 1000, frameTtlSeconds: 300 },
    worker: { concurrency: 2 },
    cameras: [{ id: 'bench', url: clip, fps, width }],
  });
  const keys = redisKeys(ns);
  const redis = new Redis(config.redis.url, { maxRetriesPerRequest: null });

  // The model is fitted before timing starts, on the clip's first 100 frames.
  const learn: FrameInput[] = [];
  let prev: Uint8Array | undefined;
  for await (const f of decodeFrames(clip, { fps, width, maxFrames: 100 })) {
    learn.push({ data: f.data, width: f.width, height: f.height, ...(prev ? { prev } : {}) });
    prev = f.data;
  }
  const model = await fitCameraModel(learn, { cameraId: 'bench' });
  const version = model.manifest.version;
  await saveCameraModel(model, modelVersionDir(dataDir, 'bench', version));
  await redis.set(keys.modelVersion('bench'), version);

  const worker = await startWorker(config);
  const queue = new Queue<FrameJob>(keys.frameQueue, { connection: redis });
  const publisher = new FramePublisher(redis, queue, keys, { maxInFlight: config.ingest.maxInFlight, frameTtlSeconds: config.ingest.frameTtlSeconds });
  const t0 = performance.now();
  let frames = 0;
  for await (const f of decodeFrames(clip, { fps, width })) {
    const frame: Frame = { cameraId: 'bench', seq: frames, capturedAt: Date.now(), width: f.width, height: f.height, data: f.data };
    await publisher.publish(frame);
    frames++;
  }
  const status = keys.cameraStatus('bench');
  for (;;) {
    const [scored, dropped] = await redis.hmget(status, 'scored', 'dropped');
    if (Number(scored ?? 0) + Number(dropped ?? 0) >= frames) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const seconds = (performance.now() - t0) / 1000;
  const dropped = Number((await redis.hget(status, 'dropped')) ?? 0);
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  const leftover = await redis.keys(`${ns}:*`);
  if (leftover.length) await redis.del(...leftover);
  redis.disconnect();
  return { frames, seconds, dropped };
}

const decode = await decodeOnly();
const pipeline = await fullPipeline();
const decodeFps = decode.frames / decode.seconds;
const pipelineFps = (pipeline.frames - pipeline.dropped) / pipeline.seconds;
const result = {
  clip: clip.replace(REPO_ROOT, ''),
  analysis: { width, fps },
  decodeOnly: { frames: decode.frames, seconds: +decode.seconds.toFixed(2), framesPerSecond: +decodeFps.toFixed(1) },
  fullPipeline: { frames: pipeline.frames, dropped: pipeline.dropped, seconds: +pipeline.seconds.toFixed(2), framesPerSecond: +pipelineFps.toFixed(1) },
  ratio: +(pipelineFps / decodeFps).toFixed(3),
};
process.stdout.write(
  [
    `clip ${result.clip} at ${width} px wide, every frame (${fps.toFixed(2)} fps source)`,
    `decode only     ${decodeFps.toFixed(1).padStart(8)} frames/s  (${decode.frames} frames in ${decode.seconds.toFixed(2)} s)`,
    `full pipeline   ${pipelineFps.toFixed(1).padStart(8)} frames/s  (${pipeline.frames} frames in ${pipeline.seconds.toFixed(2)} s, ${pipeline.dropped} dropped)`,
    `ratio pipeline/decode ${result.ratio}  (at 5 analysed fps a camera, this process — decode, queue and one worker at concurrency 2 — keeps up with ${Math.floor(pipelineFps / 5)} cameras)`,
    '',
  ].join('\n'),
);
if (values.json) writeFileSync(values.json, JSON.stringify(result, null, 2));
process.exit(0);
