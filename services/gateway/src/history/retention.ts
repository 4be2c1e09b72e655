/** Deletes alerts older than their camera's `retentionDays`, with their files, on a timer. */
import { rm } from 'node:fs/promises';
import { alertFilesDir, cameraSchema, type CameraConfig, type Logger } from '@vigil/core';
import type { AlertStore } from './alertStore.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Cameras no longer in the config keep the schema's default retention. */
const DEFAULT_RETENTION_DAYS = cameraSchema.shape.retentionDays.parse(undefined);

/** One pass; returns the ids deleted. "Older" means no event since the cutoff, so a long-running alert stays. */
export async function applyRetention(store: AlertStore, cameras: CameraConfig[], dataDir: string, now = Date.now()): Promise<string[]> {
  const days = new Map(cameras.map((c) => [c.id, c.retentionDays]));
  const deleted: string[] = [];
  for (const cameraId of new Set([...days.keys(), ...(await store.cameraIds())])) {
    const cutoff = new Date(now - (days.get(cameraId) ?? DEFAULT_RETENTION_DAYS) * DAY_MS);
    const ids = await store.deleteOlderThan(cameraId, cutoff);
    // Files go after the rows are gone: a crash in between leaves files, never rows pointing at nothing.
    for (const id of ids) await rm(alertFilesDir(dataDir, id), { recursive: true, force: true });
    deleted.push(...ids);
  }
  return deleted;
}

export class RetentionJob {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly store: AlertStore,
    private readonly cameras: CameraConfig[],
    private readonly dataDir: string,
    private readonly log: Logger,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    const tick = () => {
      this.running ??= this.runOnce().finally(() => (this.running = undefined));
    };
    tick();
    this.timer = setInterval(tick, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private async runOnce(): Promise<void> {
    try {
      const ids = await applyRetention(this.store, this.cameras, this.dataDir);
      if (ids.length > 0) this.log.info('deleted alerts past retention', { count: ids.length });
    } catch (err) {
      this.log.warn('alert retention pass failed; will retry', { error: err });
    }
  }
}
