/**
 * A camera's score over the last hour as an SVG chart: the highest score per bucket, the threshold
 * line (1) and the spans of its alerts. Refetched every 15 s; live scores are added in between.
 */
import { h, svg, clear } from '../dom.js';
import type { Api } from '../net/api.js';
import type { ScoreMessage, StoredAlert } from '../types.js';

const W = 1000;
const H = 160;
const PAD = { left: 34, right: 6, top: 8, bottom: 18 };
const WINDOW_MS = 60 * 60 * 1000;

export class ScoreTimelineView {
  readonly el: HTMLElement;
  private readonly chart: SVGSVGElement;
  private readonly title: HTMLElement;
  private readonly status: HTMLElement;
  private camera: string | undefined;
  private points: [number, number][] = [];
  private bucketMs = 5000;
  private refetch: number | undefined;
  private drawPending = false;

  constructor(
    private readonly api: Api,
    private readonly alertsOf: (camera: string) => StoredAlert[],
  ) {
    this.title = h('h2', {}, 'Score timeline');
    this.status = h('span', { class: 'muted' });
    this.chart = svg('svg', { class: 'timeline-chart', viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', role: 'img' });
    this.el = h('section', { class: 'timeline', hidden: true }, h('header', {}, this.title, this.status), this.chart);
  }

  show(camera: string, name: string): void {
    this.camera = camera;
    this.el.hidden = false;
    this.el.dataset.camera = camera;
    this.title.textContent = `Score timeline — ${name}, last hour`;
    this.points = [];
    window.clearInterval(this.refetch);
    void this.load();
    this.refetch = window.setInterval(() => void this.load(), 15_000);
  }

  addScore(msg: ScoreMessage): void {
    if (msg.camera !== this.camera) return;
    const b = Math.floor(msg.t / this.bucketMs) * this.bucketMs;
    const last = this.points.at(-1);
    if (last && last[0] === b) last[1] = Math.max(last[1], msg.score);
    else if (!last || last[0] < b) this.points.push([b, msg.score]);
    this.scheduleDraw();
  }

  /** Alerts changed: redraw the spans. */
  alertsChanged(camera: string): void {
    if (camera === this.camera) this.scheduleDraw();
  }

  private async load(): Promise<void> {
    const camera = this.camera;
    if (!camera) return;
    try {
      const t = await this.api.scores(camera, 60);
      if (camera !== this.camera) return;
      this.bucketMs = t.bucketSeconds * 1000;
      this.points = t.points.map(([time, score]) => [time, score]);
      this.status.textContent = `${t.points.length} points, ${t.bucketSeconds}-s buckets, threshold ${t.threshold}`;
    } catch (err) {
      this.status.textContent = `timeline unavailable: ${(err as Error).message}`;
    }
    this.scheduleDraw();
  }

  private scheduleDraw(): void {
    if (this.drawPending) return;
    this.drawPending = true;
    requestAnimationFrame(() => {
      this.drawPending = false;
      this.draw();
    });
  }

  private draw(): void {
    if (!this.camera) return;
    const now = Date.now();
    const t0 = now - WINDOW_MS;
    const pts = this.points.filter(([t]) => t >= t0);
    const yMax = Math.max(2, ...pts.map(([, s]) => s)) * 1.05;
    const x = (t: number) => PAD.left + ((t - t0) / WINDOW_MS) * (W - PAD.left - PAD.right);
    const y = (s: number) => H - PAD.bottom - (Math.min(s, yMax) / yMax) * (H - PAD.top - PAD.bottom);
    clear(this.chart);
    for (const a of this.alertsOf(this.camera)) {
      const start = Date.parse(a.startedAt);
      const end = a.endedAt ? Date.parse(a.endedAt) : now;
      if (end < t0) continue;
      const x0 = x(Math.max(start, t0));
      this.chart.append(svg('rect', { class: `alert-span ${a.state}`, x: x0, y: PAD.top, width: Math.max(2, x(end) - x0), height: H - PAD.top - PAD.bottom }, svg('title', {}, `alert ${a.id}`)));
    }
    for (const v of [0, 1, Math.floor(yMax)]) {
      this.chart.append(svg('text', { class: 'axis', x: 2, y: y(v) + 4 }, v.toFixed(0)));
    }
    for (let m = 0; m <= 60; m += 10) {
      const tx = x(now - (60 - m) * 60_000);
      this.chart.append(svg('text', { class: 'axis', x: m === 60 ? tx - 26 : tx - 12, y: H - 4 }, m === 60 ? 'now' : `-${60 - m}m`));
    }
    this.chart.append(svg('line', { class: 'threshold', x1: PAD.left, x2: W - PAD.right, y1: y(1), y2: y(1) }, svg('title', {}, 'threshold (1)')));
    if (pts.length > 0) {
      const d = pts.map(([t, s], i) => `${i === 0 ? 'M' : 'L'}${x(t).toFixed(1)},${y(s).toFixed(1)}`).join('');
      this.chart.append(svg('path', { class: 'scores', d }));
    }
    this.chart.dataset.points = String(pts.length);
  }
}
