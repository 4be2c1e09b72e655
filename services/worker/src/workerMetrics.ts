/** Prometheus metrics of one worker process. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { backboneStats } from '@vigil/anomaly';

/** A counter that reads a running total kept elsewhere, at scrape time. */
function totalCounter(registry: Registry, name: string, help: string, read: () => number): Counter {
  let seen = 0;
  return new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      const now = read();
      if (now > seen) this.inc(now - seen);
      seen = now;
    },
  });
}

export function createWorkerMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'vigil_worker_' });
  return {
    registry,
    framesScored: new Counter({ name: 'vigil_worker_frames_scored_total', help: 'Frames scored by this worker', labelNames: ['camera'], registers: [registry] }),
    framesSkipped: new Counter({ name: 'vigil_worker_frames_skipped_total', help: 'Frames not scored (expired bytes, no model yet)', labelNames: ['camera', 'reason'], registers: [registry] }),
    scoreSeconds: new Histogram({
      name: 'vigil_worker_score_seconds',
      help: 'Time to score one frame, from dequeue to alert decision',
      labelNames: ['camera'],
      buckets: [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2],
      registers: [registry],
    }),
    alertEvents: new Counter({ name: 'vigil_worker_alert_events_total', help: 'Alert events emitted', labelNames: ['camera', 'event'], registers: [registry] }),
    backend: new Gauge({ name: 'vigil_worker_backend_info', help: 'Compute backend in use (value 1)', labelNames: ['backend'], registers: [registry] }),
    // Frames ÷ executions is the mean batch the backbone ran on (frames of several cameras batched together).
    backboneExecutions: totalCounter(registry, 'vigil_worker_backbone_executions_total', 'Executions of the pretrained backbone', () => backboneStats.executions),
    backboneFrames: totalCounter(registry, 'vigil_worker_backbone_frames_total', 'Frames run through the pretrained backbone', () => backboneStats.frames),
  };
}
export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;
