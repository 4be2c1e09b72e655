/** Reviews of recordings on the server: the list with state and report, and (operators) a form to start one. */
import { h, clear, formatTime } from '../dom.js';
import type { Api } from '../net/api.js';
import type { CameraInfo, ReviewSummary, Role } from '../types.js';

export class ReviewsView {
  readonly el: HTMLElement;
  private readonly table: HTMLTableSectionElement;
  private readonly message: HTMLElement;
  private readonly report: HTMLIFrameElement;
  private readonly reportBox: HTMLElement;
  private poll: number | undefined;

  constructor(
    private readonly api: Api,
    role: Role,
    cameras: CameraInfo[],
  ) {
    this.table = h('tbody');
    this.message = h('p', { class: 'message', role: 'status' });
    this.report = h('iframe', { class: 'report-frame', title: 'review report', sandbox: 'allow-same-origin' });
    this.reportBox = h('section', { class: 'report', hidden: true }, h('header', {}, h('h2', {}, 'Report'), h('button', { type: 'button', onclick: () => this.closeReport() }, 'Close')), this.report);
    const file = h('input', { name: 'file', type: 'text', required: true, placeholder: '/path/on/the/server/recording.mp4', size: 50, 'aria-label': 'file on the server' });
    const camera = h('select', { name: 'camera', 'aria-label': 'camera model' }, ...cameras.map((c) => h('option', { value: c.id }, c.name ?? c.id)));
    const form =
      role === 'viewer'
        ? h('p', { class: 'muted' }, 'A viewer token can read reviews; starting one needs an operator token.')
        : h(
            'form',
            {
              class: 'start-review',
              onsubmit: async (e: Event) => {
                e.preventDefault();
                try {
                  const r = await this.api.startReview(file.value.trim(), camera.value);
                  this.message.textContent = `review ${r.id} queued`;
                  await this.refresh();
                } catch (err) {
                  this.message.textContent = `cannot start the review: ${(err as Error).message}`;
                }
              },
            },
            h('label', {}, 'Recording ', file),
            h('label', {}, ' with the model of ', camera),
            h('button', { type: 'submit' }, 'Start review'),
          );
    this.el = h(
      'section',
      { class: 'reviews-page' },
      h('h2', {}, 'Reviews of recorded video'),
      form,
      this.message,
      h('table', { class: 'reviews' }, h('thead', {}, h('tr', {}, ...['Requested', 'Camera', 'File', 'State', 'Alerts', 'Report'].map((t) => h('th', {}, t)))), this.table),
      this.reportBox,
    );
  }

  async show(): Promise<void> {
    await this.refresh();
    window.clearInterval(this.poll);
    this.poll = window.setInterval(() => void this.refresh(), 3000);
  }

  hide(): void {
    window.clearInterval(this.poll);
  }

  async refresh(): Promise<void> {
    let reviews: ReviewSummary[];
    try {
      reviews = (await this.api.reviews()).reviews;
    } catch (err) {
      this.message.textContent = `reviews unavailable: ${(err as Error).message}`;
      return;
    }
    clear(this.table);
    if (reviews.length === 0) this.table.append(h('tr', {}, h('td', { colspan: 6, class: 'muted' }, 'No reviews yet.')));
    for (const r of reviews) {
      const state = r.state === 'running' && r.progress !== undefined ? `running ${Math.round(r.progress * 100)} %` : r.state;
      this.table.append(
        h(
          'tr',
          { 'data-review-id': r.id, 'data-state': r.state },
          h('td', {}, formatTime(r.requestedAt)),
          h('td', {}, r.camera),
          h('td', { class: 'file', title: r.file }, r.file.split('/').pop() ?? r.file),
          h('td', { class: `review-state ${r.state}`, title: r.error ?? '' }, state, r.error ? ` — ${r.error}` : ''),
          h('td', {}, r.alerts ?? ''),
          h('td', {}, r.reportUrl ? h('button', { type: 'button', class: 'open-report', onclick: () => this.openReport(r.reportUrl!) }, 'Open report') : ''),
        ),
      );
    }
  }

  openReport(url: string): void {
    this.reportBox.hidden = false;
    this.report.src = this.api.withToken(url);
    this.reportBox.scrollIntoView({ behavior: 'instant', block: 'start' });
  }

  private closeReport(): void {
    this.reportBox.hidden = true;
    this.report.removeAttribute('src');
  }
}
