/** Prometheus metrics of the gateway, plus camera and queue gauges read from Redis at scrape time. */
import type { Redis } from 'ioredis';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { redisKeys, type CameraConfig } from '@vigil/core';
import { readCameraStatuses } from './cameraStatus.js';

export class GatewayMetrics {
  readonly registry = new Registry();
  readonly wsClients = new Gauge({ name: 'vigil_gateway_ws_clients', help: 'WebSocket clients connected to /v1/live', registers: [this.registry] });
  readonly alertEventsPushed = new Counter({
    name: 'vigil_gateway_alert_events_pushed_total',
    help: 'Alert events sent to WebSocket clients, by kind (one per client reached, replays included)',
    labelNames: ['event'] as const,
    registers: [this.registry],
  });
  readonly alertEventsRead = new Counter({
    name: 'vigil_gateway_alert_events_read_total',
    help: 'Alert events read from the live alert stream, by kind',
    labelNames: ['event'] as const,
    registers: [this.registry],
  });
  readonly wsDropped = new Counter({
    name: 'vigil_gateway_ws_dropped_total',
    help: 'WebSocket clients cut off by the gateway, by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  private readonly redisUp = new Gauge({ name: 'vigil_gateway_redis_up', help: '1 when the last scrape could read Redis', registers: [this.registry] });
  private readonly framesIn = new Gauge({ name: 'vigil_camera_frames_in', help: 'Frames received by ingest (counter kept in Redis)', labelNames: ['camera'] as const, registers: [this.registry] });
  private readonly framesDropped = new Gauge({
    name: 'vigil_camera_frames_dropped',
    help: 'Frames dropped by ingest backpressure (counter kept in Redis)',
    labelNames: ['camera'] as const,
    registers: [this.registry],
  });
  private readonly framesScored = new Gauge({
    name: 'vigil_camera_frames_scored',
    help: 'Frames scored by workers (counter kept in Redis)',
    labelNames: ['camera'] as const,
    registers: [this.registry],
  });
  private readonly scoreSeconds = new Gauge({
    name: 'vigil_camera_score_seconds_total',
    help: 'Seconds workers spent scoring frames (counter kept in Redis); divide by frames scored for mean latency',
    labelNames: ['camera'] as const,
    registers: [this.registry],
  });
  private readonly cameraState = new Gauge({ name: 'vigil_camera_state', help: "1 for the camera pipeline's current state", labelNames: ['camera', 'state'] as const, registers: [this.registry] });
  private readonly lastFrame = new Gauge({
    name: 'vigil_camera_last_frame_timestamp_seconds',
    help: 'When ingest last received a frame (Unix seconds)',
    labelNames: ['camera'] as const,
    registers: [this.registry],
  });
  private readonly queueWaiting = new Gauge({ name: 'vigil_frame_queue_waiting', help: 'Frame jobs waiting in the BullMQ queue', registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'vigil_gateway_' });
    for (const kind of ['open', 'update', 'close']) {
      this.alertEventsPushed.inc({ event: kind }, 0);
      this.alertEventsRead.inc({ event: kind }, 0);
    }
  }

  /** Refreshes the Redis-backed gauges; a Redis failure is reported as `vigil_gateway_redis_up 0`, not an error. */
  async refreshFromRedis(redis: Redis, ns: string, cameras: CameraConfig[]): Promise<void> {
    for (const g of [this.framesIn, this.framesDropped, this.framesScored, this.scoreSeconds, this.cameraState, this.lastFrame]) g.reset();
    try {
      const statuses = await readCameraStatuses(redis, ns, cameras);
      for (const s of statuses) {
        this.framesIn.set({ camera: s.id }, s.framesIn);
        this.framesDropped.set({ camera: s.id }, s.dropped);
        this.framesScored.set({ camera: s.id }, s.scored);
        this.scoreSeconds.set({ camera: s.id }, s.scoreSeconds);
        this.cameraState.set({ camera: s.id, state: s.state }, 1);
        if (s.lastFrameAt) this.lastFrame.set({ camera: s.id }, Date.parse(s.lastFrameAt) / 1000);
      }
      this.queueWaiting.set(await queueLength(redis, `bull:${redisKeys(ns).frameQueue}:wait`));
      this.redisUp.set(1);
    } catch {
      this.redisUp.set(0);
    }
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}

/** Length of a BullMQ list; 0 when the key is missing or not a list. */
async function queueLength(redis: Redis, key: string): Promise<number> {
  try {
    return await redis.llen(key);
  } catch (err) {
    if (/^WRONGTYPE/.test((err as Error).message)) return 0;
    throw err;
  }
}
