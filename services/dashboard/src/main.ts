/**
 * The operator dashboard: log in with a token, then the camera wall (live analysed frames with regions),
 * the live alert feed, per-camera score timelines, and reviews. Everything comes from the gateway that
 * serves this page; nothing is fetched from anywhere else.
 */
import { AlertBook } from './alertBook.js';
import { clear, h } from './dom.js';
import { AlertSound } from './sound.js';
import { Api, ApiError } from './net/api.js';
import { LiveConnection, type LiveStatus } from './net/liveConnection.js';
import { PreviewConnection } from './net/previewConnection.js';
import type { CameraInfo, Role, StoredAlert } from './types.js';
import { AlertFeed } from './views/alertFeed.js';
import { CameraTile } from './views/cameraTile.js';
import { openFullRateView } from './views/fullRateView.js';
import { loginView } from './views/loginView.js';
import { ReviewsView } from './views/reviewsView.js';
import { ScoreTimelineView } from './views/scoreTimeline.js';

const TOKEN_KEY = 'vigil.token';
const app = document.getElementById('app')!;
const sound = new AlertSound();

function showLogin(message = ''): void {
  clear(app);
  app.append(
    loginView(async (token) => {
      sound.unlock();
      const api = new Api(token);
      try {
        await api.cameras();
      } catch (err) {
        return err instanceof ApiError && err.status === 401 ? 'That token is not accepted by the gateway.' : `Cannot reach the gateway: ${(err as Error).message}`;
      }
      sessionStorage.setItem(TOKEN_KEY, token);
      void start(api);
      return undefined;
    }, message),
  );
}

/** Logs in: the role comes from the live socket's hello, then the page is built for it. */
async function start(api: Api): Promise<void> {
  let cameras: CameraInfo[];
  try {
    cameras = (await api.cameras()).cameras;
  } catch (err) {
    sessionStorage.removeItem(TOKEN_KEY);
    return showLogin(err instanceof ApiError && err.status === 401 ? 'Your token is no longer accepted.' : `Cannot reach the gateway: ${(err as Error).message}`);
  }
  const book = new AlertBook();
  let page: Page | undefined;
  const live = new LiveConnection(api.wsUrl('/v1/live'), {
    hello: (role) => {
      page ??= new Page(api, role, cameras, book, live);
    },
    status: (s) => page?.setLiveStatus(s),
    alert: (ev, replayed) => {
      const alert = book.putEvent(ev);
      page?.onAlertEvent(alert, ev.event, replayed);
    },
    resumed: () => void page?.loadHistory(),
    refused: (message) => {
      live.close();
      showLogin(message);
    },
  });
  live.connect();
}

class Page {
  private readonly tiles = new Map<string, CameraTile>();
  private readonly feed: AlertFeed;
  private readonly timeline: ScoreTimelineView;
  private readonly reviews: ReviewsView;
  private readonly preview: PreviewConnection;
  private readonly statusEl: HTMLElement;
  private readonly errorEl: HTMLElement;
  private readonly wall: HTMLElement;
  private readonly main: HTMLElement;
  private readonly reviewsPage: HTMLElement;

  constructor(
    private readonly api: Api,
    role: Role,
    private readonly cameras: CameraInfo[],
    private readonly book: AlertBook,
    private readonly live: LiveConnection,
  ) {
    this.statusEl = h('span', { class: 'live-status', 'data-status': 'connecting' }, 'connecting…');
    this.errorEl = h('p', { class: 'page-error', role: 'alert', hidden: true });
    const muteButton = h(
      'button',
      {
        type: 'button',
        class: 'mute',
        onclick: () => {
          sound.muted = !sound.muted;
          muteButton.textContent = sound.muted ? 'Sound off' : 'Sound on';
        },
      },
      'Sound on',
    );
    const nav = (hash: string, label: string) => h('a', { href: hash, class: 'nav' }, label);
    const header = h(
      'header',
      { class: 'top' },
      h('h1', {}, 'vigil'),
      nav('#/wall', 'Camera wall'),
      nav('#/reviews', 'Reviews'),
      h('span', { class: 'spacer' }),
      this.statusEl,
      h('span', { class: 'role', 'data-role': role }, role),
      muteButton,
      h('button', { type: 'button', class: 'logout', onclick: () => this.logout() }, 'Log out'),
    );
    this.timeline = new ScoreTimelineView(api, (camera) => book.list().filter((a) => a.cameraId === camera));
    const tileGrid = h('div', { class: 'tiles' });
    for (const cam of cameras) {
      const tile = new CameraTile(cam, {
        select: (id) => this.select(id),
        fullRate: (id) => void openFullRateView(this.nameOf(id), api.wsUrl(`/v1/stream/${encodeURIComponent(id)}`)),
        heatmapUrl: (a) => api.withToken(a.heatmapUrl || `/v1/alerts/${a.id}/heatmap.jpg`),
      });
      this.tiles.set(cam.id, tile);
      tileGrid.append(tile.el);
    }
    this.feed = new AlertFeed(book, api, role, cameras, (m) => this.showError(m));
    this.wall = h('div', { class: 'wall' }, tileGrid, this.timeline.el);
    this.main = h('main', { class: 'dashboard' }, this.wall, this.feed.el);
    this.reviews = new ReviewsView(api, role, cameras);
    this.reviewsPage = h('main', { class: 'reviews-main', hidden: true }, this.reviews.el);
    clear(app);
    app.append(header, this.errorEl, this.main, this.reviewsPage);

    book.onChange((alert) => this.timeline.alertsChanged(alert.cameraId));
    this.preview = new PreviewConnection(api.wsUrl('/v1/preview'), {
      frame: (header, jpeg) => this.tiles.get(header.camera)?.setFrame(header, jpeg),
      score: (msg) => {
        this.tiles.get(msg.camera)?.setScore(msg);
        this.timeline.addScore(msg);
      },
      connected: () => undefined,
    });
    this.preview.watch(cameras.map((c) => c.id));
    this.preview.connect();
    window.setInterval(() => void this.refreshCameras(), 3000);
    window.addEventListener('hashchange', () => this.route());
    this.route();
    void this.loadHistory();
    if (cameras[0]) this.select(cameras[0].id);
  }

  setLiveStatus(s: LiveStatus): void {
    this.statusEl.dataset.status = s;
    this.statusEl.textContent = s === 'live' ? 'live' : s === 'connecting' ? 'connecting…' : 'reconnecting…';
  }

  onAlertEvent(alert: StoredAlert, event: 'open' | 'update' | 'close', replayed: boolean): void {
    const tile = this.tiles.get(alert.cameraId);
    tile?.setAlert(this.book.openFor(alert.cameraId), event === 'open');
    // A replayed open after a reconnect still deserves a sound when it is recent.
    if (event === 'open' && (!replayed || Date.now() - Date.parse(alert.startedAt) < 120_000)) sound.beep();
  }

  /** Alerts from the history API (ack and feedback included); live events keep coming meanwhile. */
  async loadHistory(): Promise<void> {
    try {
      const { alerts } = await this.api.alerts({ limit: 100 });
      for (const a of alerts) this.book.putStored(a);
      this.feed.render();
      for (const [id, tile] of this.tiles) tile.setAlert(this.book.openFor(id), false);
    } catch (err) {
      // 501: history is off on this gateway; the feed then shows live alerts only.
      if (!(err instanceof ApiError && err.status === 501)) this.showError(`alert history: ${(err as Error).message}`);
    }
  }

  private select(camera: string): void {
    for (const [id, tile] of this.tiles) tile.el.classList.toggle('selected', id === camera);
    this.timeline.show(camera, this.nameOf(camera));
    const from = new Date(Date.now() - 3_600_000).toISOString();
    this.api.alertsSince(camera, from).then(
      ({ alerts }) => alerts.forEach((a) => this.book.putStored(a)),
      () => undefined,
    );
  }

  private nameOf(id: string): string {
    return this.cameras.find((c) => c.id === id)?.name ?? id;
  }

  private async refreshCameras(): Promise<void> {
    try {
      const { cameras } = await this.api.cameras();
      for (const c of cameras) {
        // A crashed ingest cannot say so: no frame for 15 s on a camera it calls live is offline.
        const stale = c.lastFrameAt !== null && Date.now() - Date.parse(c.lastFrameAt) > 15_000 && (c.state === 'live' || c.state === 'learning');
        this.tiles.get(c.id)?.setState(stale ? { ...c, state: 'offline' } : c);
      }
    } catch {
      // The gateway is restarting: tiles keep their last state; the header says reconnecting.
    }
  }

  private route(): void {
    const reviews = location.hash === '#/reviews';
    this.main.hidden = reviews;
    this.reviewsPage.hidden = !reviews;
    document.querySelectorAll('a.nav').forEach((a) => a.classList.toggle('current', (a as HTMLAnchorElement).hash === (reviews ? '#/reviews' : '#/wall')));
    if (reviews) void this.reviews.show();
    else this.reviews.hide();
  }

  private showError(message: string): void {
    this.errorEl.textContent = message;
    this.errorEl.hidden = false;
    window.setTimeout(() => (this.errorEl.hidden = true), 8000);
  }

  private logout(): void {
    sessionStorage.removeItem(TOKEN_KEY);
    this.live.close();
    this.preview.close();
    location.hash = '';
    location.reload();
  }
}

const saved = sessionStorage.getItem(TOKEN_KEY);
if (saved) void start(new Api(saved));
else showLogin();
