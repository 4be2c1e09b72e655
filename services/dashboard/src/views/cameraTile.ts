/**
 * One camera on the wall: its latest analysed frame, the regions of the latest score outlined (yellow),
 * the open alert's regions (red) and, on demand, the alert's heatmap; its state and score.
 */
import { h, svg, clear } from '../dom.js';
import type { CameraInfo, PreviewHeader, Region, ScoreMessage, StoredAlert } from '../types.js';

export interface TileActions {
  select(camera: string): void;
  fullRate(camera: string): void;
  heatmapUrl(alert: StoredAlert): string;
}

function regionRect(r: Region, cls: string): SVGRectElement {
  const rect = svg('rect', { x: r.x, y: r.y, width: r.width, height: r.height, class: cls, 'vector-effect': 'non-scaling-stroke' });
  rect.append(svg('title', {}, `score ${r.score.toFixed(2)}`));
  return rect;
}

/** The camera's zones (watched) and masks (never judged), under the regions. */
function areasOf(camera: CameraInfo): SVGGElement {
  const polygon = (points: [number, number][], cls: string, title: string) => {
    const p = svg('polygon', { points: points.map(([x, y]) => `${x},${y}`).join(' '), class: cls, 'vector-effect': 'non-scaling-stroke' });
    p.append(svg('title', {}, title));
    return p;
  };
  return svg(
    'g',
    { class: 'areas' },
    ...(camera.zones ?? []).map((z) => polygon(z.polygon, 'zone', `zone ${z.name}`)),
    ...(camera.masks ?? []).map((m) => polygon(m.polygon, 'mask', m.name ? `mask ${m.name} (not judged)` : 'mask (not judged)')),
  );
}

export class CameraTile {
  readonly el: HTMLElement;
  private readonly frameBox: HTMLElement;
  private readonly img: HTMLImageElement;
  private readonly heat: HTMLImageElement;
  private readonly liveRegions: SVGGElement;
  private readonly alertRegions: SVGGElement;
  private readonly stateEl: HTMLElement;
  private readonly scoreEl: HTMLElement;
  private readonly heatButton: HTMLButtonElement;
  private readonly placeholder: HTMLElement;
  private objectUrl: string | undefined;
  private alert: StoredAlert | undefined;
  private showHeat = false;
  private lastScoreAt = 0;

  constructor(
    readonly camera: CameraInfo,
    private readonly actions: TileActions,
  ) {
    this.img = h('img', { class: 'live-frame', alt: `live analysed frames of ${camera.name ?? camera.id}` });
    this.heat = h('img', { class: 'heatmap', alt: 'heatmap of the open alert', hidden: true });
    this.liveRegions = svg('g', { class: 'live-regions' });
    this.alertRegions = svg('g', { class: 'alert-regions' });
    const overlay = svg('svg', { class: 'overlay', viewBox: '0 0 1 1', preserveAspectRatio: 'none' }, areasOf(camera), this.liveRegions, this.alertRegions);
    this.placeholder = h('div', { class: 'placeholder' }, 'waiting for frames…');
    this.frameBox = h('div', { class: 'frame' }, this.placeholder, this.img, this.heat, overlay);
    this.stateEl = h('span', { class: 'state' });
    this.scoreEl = h('span', { class: 'score', title: 'score of the latest analysed frame (1 = threshold)' }, '–');
    this.heatButton = h('button', { type: 'button', class: 'heat-toggle', title: 'show the open alert’s heatmap', disabled: true, onclick: () => this.toggleHeat() }, 'Heatmap');
    this.el = h(
      'article',
      { class: 'tile', 'data-camera': camera.id, tabindex: 0, onclick: (e: Event) => (e.target as HTMLElement).closest('button') || actions.select(camera.id) },
      this.frameBox,
      h(
        'footer',
        {},
        h('span', { class: 'name', title: camera.id }, camera.name ?? camera.id),
        this.stateEl,
        this.scoreEl,
        this.heatButton,
        h(
          'button',
          { type: 'button', class: 'full-rate', title: 'watch this camera at full frame rate (opens a camera session while watched)', onclick: () => actions.fullRate(camera.id) },
          'Full rate',
        ),
      ),
    );
    this.setState(camera);
  }

  setFrame(header: PreviewHeader, jpeg: Blob): void {
    const url = URL.createObjectURL(jpeg);
    const previous = this.objectUrl;
    this.objectUrl = url;
    this.img.onload = () => previous && URL.revokeObjectURL(previous);
    this.img.src = url;
    this.img.dataset.seq = String(header.seq);
    this.frameBox.style.aspectRatio = `${header.width} / ${header.height}`;
    this.placeholder.hidden = true;
    this.el.dataset.frames = String(Number(this.el.dataset.frames ?? 0) + 1);
  }

  setScore(msg: ScoreMessage): void {
    // Workers finish frames out of order: an older frame's regions must not replace a newer one's.
    if (msg.t < this.lastScoreAt) return;
    this.lastScoreAt = msg.t;
    this.scoreEl.textContent = msg.score.toFixed(2);
    this.scoreEl.classList.toggle('over', msg.score >= msg.threshold && !msg.gated);
    this.scoreEl.title = msg.gated ? 'whole-frame change: gated, no alert' : `score ${msg.score.toFixed(3)} (1 = threshold)`;
    clear(this.liveRegions);
    for (const r of msg.regions) this.liveRegions.append(regionRect(r, 'live-region'));
  }

  setState(info: CameraInfo): void {
    const state = info.state === 'connecting' ? 'reconnecting' : info.state === 'stopped' || info.state === 'unknown' ? 'offline' : info.state;
    // Why it is reconnecting (refused, not-found, not-video…), in a word on the tile and in ffmpeg's words on hover.
    // A first fit that failed or is being retried on the workers, likewise (the error on hover).
    const learn = state === 'learning' && (info.learn?.state === 'failed' || info.learn?.state === 'retrying') ? info.learn : undefined;
    this.stateEl.textContent = state === 'reconnecting' && info.reason ? `${state}: ${info.reason}` : learn ? `learning: fit ${learn.state}` : state;
    this.stateEl.title = state === 'reconnecting' && info.detail ? info.detail : (learn?.error ?? '');
    this.stateEl.className = `state state-${state}`;
    this.el.dataset.state = state;
  }

  /** The camera's open alert (or none): its regions stay outlined while it is open. */
  setAlert(alert: StoredAlert | undefined, isNew: boolean): void {
    this.alert = alert;
    clear(this.alertRegions);
    this.el.classList.toggle('alerting', !!alert);
    this.heatButton.disabled = !alert;
    if (!alert) {
      this.showHeat = false;
      this.heat.hidden = true;
      delete this.el.dataset.alertId;
      return;
    }
    this.el.dataset.alertId = alert.id;
    for (const r of alert.regions) this.alertRegions.append(regionRect(r, 'alert-region'));
    if (this.showHeat) this.heat.src = `${this.actions.heatmapUrl(alert)}&u=${encodeURIComponent(alert.updatedAt)}`;
    if (isNew) {
      this.el.classList.remove('flash');
      void this.el.offsetWidth; // restart the animation
      this.el.classList.add('flash');
    }
  }

  private toggleHeat(): void {
    if (!this.alert) return;
    this.showHeat = !this.showHeat;
    this.heatButton.classList.toggle('on', this.showHeat);
    this.heat.hidden = !this.showHeat;
    if (this.showHeat) this.heat.src = `${this.actions.heatmapUrl(this.alert)}&u=${encodeURIComponent(this.alert.updatedAt)}`;
  }
}
