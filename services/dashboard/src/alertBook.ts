/** The alerts the page knows: from the history API and live events, merged by id, newest first. */
import type { AlertEvent, StoredAlert } from './types.js';

export type BookListener = (changed: StoredAlert, event: AlertEvent['event'] | 'stored') => void;

export class AlertBook {
  private readonly alerts = new Map<string, StoredAlert>();
  private readonly listeners = new Set<BookListener>();

  onChange(listener: BookListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get(id: string): StoredAlert | undefined {
    return this.alerts.get(id);
  }

  /** Newest start first. */
  list(): StoredAlert[] {
    return [...this.alerts.values()].sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.id.localeCompare(a.id));
  }

  openFor(camera: string): StoredAlert | undefined {
    return this.list().find((a) => a.cameraId === camera && a.state === 'open');
  }

  /** An alert as stored (history API, ack or feedback answers): it knows ack and feedback. */
  putStored(alert: StoredAlert): void {
    const cur = this.alerts.get(alert.id);
    // A stored copy may lag the live stream by a moment: keep the newer lifecycle fields.
    const live = cur && cur.updatedAt > alert.updatedAt ? { state: cur.state, updatedAt: cur.updatedAt, endedAt: cur.endedAt, score: cur.score, regions: cur.regions, members: cur.members } : {};
    const merged = { ...cur, ...alert, ...live };
    this.alerts.set(alert.id, merged);
    this.emit(merged, 'stored');
  }

  /** A live event: its alert replaces the lifecycle fields and keeps what only the store knows. */
  putEvent(ev: AlertEvent): StoredAlert {
    const cur = this.alerts.get(ev.alert.id);
    const peak = Math.max(cur?.peakScore ?? 0, cur?.score ?? 0, ev.alert.score);
    const merged: StoredAlert = { ...cur, ...ev.alert, peakScore: peak, ack: cur?.ack ?? null, feedback: cur?.feedback ?? null };
    this.alerts.set(merged.id, merged);
    this.emit(merged, ev.event);
    return merged;
  }

  private emit(alert: StoredAlert, event: AlertEvent['event'] | 'stored'): void {
    for (const l of this.listeners) l(alert, event);
  }
}
