/**
 * The alert feed, newest first and live: each alert with its snapshot, regions, score, contributing
 * members, camera and time; operators (not viewers) acknowledge it and mark it false alarm or confirmed.
 * Filters by camera and state.
 */
import { h, clear, formatTime } from '../dom.js';
import type { AlertBook } from '../alertBook.js';
import type { Api } from '../net/api.js';
import type { CameraInfo, Role, StoredAlert, Verdict } from '../types.js';

const MAX_SHOWN = 200;

export class AlertFeed {
  readonly el: HTMLElement;
  private readonly list: HTMLOListElement;
  private readonly cameraFilter: HTMLSelectElement;
  private readonly stateFilter: HTMLSelectElement;
  private readonly items = new Map<string, HTMLLIElement>();
  private readonly canAct: boolean;
  private readonly shownAt = new Map<string, number>();

  constructor(
    private readonly book: AlertBook,
    private readonly api: Api,
    role: Role,
    cameras: CameraInfo[],
    private readonly onError: (message: string) => void,
  ) {
    this.canAct = role === 'operator' || role === 'admin';
    this.cameraFilter = h(
      'select',
      { class: 'filter-camera', 'aria-label': 'camera', onchange: () => this.render() },
      h('option', { value: '' }, 'All cameras'),
      ...cameras.map((c) => h('option', { value: c.id }, c.name ?? c.id)),
    );
    this.stateFilter = h(
      'select',
      { class: 'filter-state', 'aria-label': 'state', onchange: () => this.render() },
      h('option', { value: '' }, 'Any state'),
      h('option', { value: 'open' }, 'Open'),
      h('option', { value: 'closed' }, 'Closed'),
      h('option', { value: 'unacked' }, 'Not acknowledged'),
    );
    this.list = h('ol', { class: 'alerts' });
    this.el = h('section', { class: 'feed' }, h('header', {}, h('h2', {}, 'Alerts'), this.cameraFilter, this.stateFilter), this.list);
    book.onChange((alert) => this.upsert(alert));
  }

  /** Rebuilds the list from the book (after a filter change or a history load). */
  render(): void {
    clear(this.list);
    this.items.clear();
    for (const a of this.book
      .list()
      .filter((a) => this.passes(a))
      .slice(0, MAX_SHOWN)) {
      const li = this.item(a);
      this.items.set(a.id, li);
      this.list.append(li);
    }
  }

  private passes(a: StoredAlert): boolean {
    const cam = this.cameraFilter.value;
    const st = this.stateFilter.value;
    if (cam && a.cameraId !== cam) return false;
    if (st === 'unacked') return !a.ack;
    return !st || a.state === st;
  }

  private upsert(alert: StoredAlert): void {
    const existing = this.items.get(alert.id);
    if (!this.passes(alert)) {
      existing?.remove();
      this.items.delete(alert.id);
      return;
    }
    const fresh = this.item(alert);
    this.items.set(alert.id, fresh);
    if (existing) {
      existing.replaceWith(fresh);
      return;
    }
    // Newest first: before the first item that started earlier.
    const after = [...this.list.children].find((li) => ((li as HTMLElement).dataset.startedAt ?? '') < alert.startedAt);
    this.list.insertBefore(fresh, after ?? null);
    while (this.list.children.length > MAX_SHOWN) {
      const last = this.list.lastElementChild as HTMLElement;
      this.items.delete(last.dataset.alertId ?? '');
      last.remove();
    }
  }

  private item(a: StoredAlert): HTMLLIElement {
    if (!this.shownAt.has(a.id)) this.shownAt.set(a.id, Date.now());
    const peak = Math.max(a.peakScore ?? 0, a.score);
    const members = Object.entries(a.members).sort((x, y) => y[1] - x[1]);
    const offline = a.kind === 'camera-offline';
    const health = offline || a.kind === 'camera-tampered';
    const snapshot = this.api.withToken(a.snapshotUrl || `/v1/alerts/${a.id}/snapshot.jpg`) + `&u=${encodeURIComponent(a.updatedAt)}`;
    const li = h(
      'li',
      {
        class: `alert ${a.state}${a.ack ? ' acked' : ''}${offline ? ' camera-offline' : ''}`,
        'data-alert-id': a.id,
        'data-camera': a.cameraId,
        'data-state': a.state,
        'data-kind': a.kind ?? 'anomaly',
        'data-started-at': a.startedAt,
        'data-shown-at': this.shownAt.get(a.id)!,
      },
      // A camera that went dark has no picture to show: say so where the snapshot would be.
      offline
        ? h('div', { class: 'snapshot offline', title: 'the camera delivers no frames' }, 'camera offline')
        : h('a', { class: 'snapshot', href: snapshot, target: '_blank', rel: 'noopener' }, h('img', { src: snapshot, alt: `snapshot of alert ${a.id}`, loading: 'lazy' })),
      h(
        'div',
        { class: 'details' },
        h(
          'div',
          { class: 'line1' },
          h('span', { class: `badge ${a.state}` }, a.state),
          h('strong', { class: 'camera' }, a.cameraId),
          h('time', { datetime: a.startedAt }, formatTime(a.startedAt)),
          a.endedAt ? h('span', { class: 'muted' }, `– ${formatTime(a.endedAt)}`) : null,
        ),
        health
          ? h('div', { class: 'line2 offline-reason' }, offline ? `no frames: ${a.reason || 'camera unreachable'}` : `camera tampered: ${a.reason || 'its whole view changed'}`)
          : h(
              'div',
              { class: 'line2' },
              h('span', { class: 'alert-score', title: 'current / peak score (1 = threshold)' }, `score ${a.score.toFixed(2)}`, peak > a.score ? ` · peak ${peak.toFixed(2)}` : ''),
              ' · ',
              h('span', { class: 'regions' }, `${a.regions.length} region${a.regions.length === 1 ? '' : 's'}`),
            ),
        health
          ? null
          : h(
              'div',
              { class: 'members', title: 'contributing detectors (normalised scores)' },
              members
                .slice(0, 4)
                .map(([k, v]) => `${k} ${v.toFixed(2)}`)
                .join(' · ') || 'no member scores',
            ),
        this.status(a),
        this.canAct ? this.actions(a) : null,
      ),
    );
    return li;
  }

  private status(a: StoredAlert): HTMLElement | null {
    const parts: string[] = [];
    if (a.ack) parts.push(`acknowledged ${formatTime(a.ack.at)} (${a.ack.role})`);
    if (a.feedback) parts.push(a.feedback.verdict === 'false-alarm' ? 'marked false alarm' : 'confirmed');
    return parts.length ? h('div', { class: 'status' }, parts.join(' · ')) : null;
  }

  private actions(a: StoredAlert): HTMLElement {
    const act = (label: string, cls: string, run: () => Promise<{ alert: StoredAlert }>, disabled: boolean) =>
      h(
        'button',
        {
          type: 'button',
          class: cls,
          disabled,
          onclick: async (e: Event) => {
            (e.currentTarget as HTMLButtonElement).disabled = true;
            try {
              this.book.putStored((await run()).alert);
            } catch (err) {
              this.onError(`${label}: ${(err as Error).message}`);
              (e.currentTarget as HTMLButtonElement | null)?.removeAttribute('disabled');
            }
          },
        },
        label,
      );
    const verdict = (v: Verdict) => () => this.api.feedback(a.id, v);
    return h(
      'div',
      { class: 'actions' },
      act('Acknowledge', 'ack', () => this.api.ack(a.id), !!a.ack),
      act('False alarm', 'false-alarm', verdict('false-alarm'), a.feedback?.verdict === 'false-alarm'),
      act('Confirmed', 'confirm', verdict('confirmed'), a.feedback?.verdict === 'confirmed'),
    );
  }
}
