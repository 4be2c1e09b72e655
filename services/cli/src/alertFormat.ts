/** One terminal line per alert event. */
import type { AlertEvent } from '@vigil/core';

export function formatAlertEvent(ev: AlertEvent): string {
  const a = ev.alert;
  const time = new Date(ev.event === 'close' ? (a.endedAt ?? a.updatedAt) : a.updatedAt).toLocaleTimeString();
  const regions = a.regions.map((r) => `[x=${r.x.toFixed(2)} y=${r.y.toFixed(2)} w=${r.width.toFixed(2)} h=${r.height.toFixed(2)} score=${r.score.toFixed(2)}]`).join(' ');
  const members = Object.entries(a.members)
    .map(([k, v]) => `${k}=${v.toFixed(2)}`)
    .join(' ');
  return `${time} ${ev.event.toUpperCase().padEnd(6)} ${a.cameraId} ${a.id} score=${a.score.toFixed(2)} ${regions}${members ? ` members: ${members}` : ''}`;
}
