/** Prometheus metrics of one worker process. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

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
  };
}
export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;
