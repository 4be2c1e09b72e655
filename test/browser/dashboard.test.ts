/**
 * The operator dashboard in Debian's Chromium against the real stack: a GStreamer RTSP camera playing
 * street.mp4 three times with two injected stopped vehicles, `vigil ingest`, `vigil worker` and `vigil gateway`
 * as processes, Redis and PostgreSQL. One stack and one browser serve every test, in order:
 * log in → live tile → alert in the feed with its region on the tile → acknowledge → viewer sees no
 * buttons → gateway killed and restarted while the second alert opens → full-rate view → review report.
 * Screenshots go to test-output/screenshots/.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderInjectedVideo, type AnomalySpec } from '@vigil/anomaly';
import { launchChromium } from '../support/browser.js';
import { REPO_ROOT } from '../support/vigilProcess.js';
import { VigilStack } from '../support/vigilStack.js';

const CLIP = join(REPO_ROOT, 'footage/street.mp4');
const INJECTED = join(REPO_ROOT, '.vigil/test-cache/dashboard-street-3x.mp4');
const SCREENSHOTS = join(REPO_ROOT, 'test-output/screenshots');
const DIST_INDEX = join(REPO_ROOT, 'services/dashboard/dist/index.html');
const OPERATOR = 'operator-token-dashboard';
const VIEWER = 'viewer-token-dashboard';
const CONFIRM_SECONDS = 1.5;

const stoppedVehicle = (startSeconds: number): AnomalySpec => ({
  kind: 'stopped-vehicle',
  startSeconds,
  durationSeconds: 7,
  size: { width: 0.15, height: 0.14 },
  position: { x: 0.6, y: 0.72 },
  velocity: { x: 0.08, y: 0.1 },
  enterSeconds: 1,
});
/**
 * Learning takes the first 20 s of frames (plus service start and fitting: ~35 s of video on a busy
 * 2-core machine); the first anomaly comes after, the second while the gateway is down.
 */
const FIRST = stoppedVehicle(52);
const SECOND = stoppedVehicle(92);

let stack: VigilStack;
let browser: Browser;
let page: Page;
let firstAlertId: string;

const sleepUntil = (t: number) => new Promise((r) => setTimeout(r, Math.max(0, t - Date.now())));
const eventTimeMs = (eventId: string) => Number(eventId.split('-')[0]);

async function logIn(p: Page, token: string): Promise<void> {
  await p.goto(stack.url);
  await p.fill('input[name=token]', token);
  await p.click('form button[type=submit]');
  await p.waitForSelector('header.top .role', { timeout: 15_000 });
}

interface StoredAlertBody {
  ack: { role: string } | null;
  feedback: { verdict: string } | null;
}

async function getAlert(id: string): Promise<{ status: number; alert: StoredAlertBody | undefined }> {
  const res = await fetch(`${stack.url}/v1/alerts/${id}`, { headers: { authorization: `Bearer ${OPERATOR}` } });
  const body = (await res.json()) as { alert?: StoredAlertBody };
  return { status: res.status, alert: body.alert };
}

beforeAll(async () => {
  if (!existsSync(DIST_INDEX)) {
    // scripts/test.sh builds the dashboard first; a direct vitest run builds it here.
    const built = spawnSync('pnpm', ['--filter', '@vigil/dashboard', 'build'], { cwd: REPO_ROOT, encoding: 'utf8' });
    if (built.status !== 0) throw new Error(`dashboard build failed:\n${built.stdout}\n${built.stderr}`);
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  await renderInjectedVideo({ src: CLIP, out: INJECTED, repeat: 3, anomalies: [FIRST, SECOND] });
  stack = await VigilStack.start({
    clip: INJECTED,
    tokens: [
      { token: OPERATOR, role: 'operator' },
      { token: VIEWER, role: 'viewer' },
    ],
    learnSeconds: 20,
    alerts: { confirmFrames: 3, confirmSeconds: CONFIRM_SECONDS, quietSeconds: 3 },
  });
  // The review test reads a recording from the server's recordings folder: the same footage, both anomalies in it.
  copyFileSync(INJECTED, join(stack.dataDir, 'recordings', 'street-injected.mp4'));
  browser = await launchChromium();
  await stack.waitForGateway();
  page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('operator dashboard against the real stack', () => {
  it('refuses a wrong token, logs in with an operator token and shows a live tile that updates', async () => {
    await page.goto(stack.url);
    await page.fill('input[name=token]', 'not-a-token-at-all');
    await page.click('form button[type=submit]');
    await expect.poll(() => page.textContent('.login-error')).toContain('not accepted');

    await page.fill('input[name=token]', OPERATOR);
    await page.click('form button[type=submit]');
    await page.waitForSelector('header.top .role[data-role=operator]', { timeout: 15_000 });
    const frame = '.tile[data-camera=cam1] img.live-frame[data-seq]';
    await page.waitForSelector(frame, { timeout: 30_000 });
    const first = await page.getAttribute(frame, 'data-seq');
    const firstSrc = await page.getAttribute(frame, 'src');
    await page.waitForFunction(([sel, seq]) => document.querySelector(sel!)?.getAttribute('data-seq') !== seq, [frame, first] as const, { timeout: 10_000 });
    expect(await page.getAttribute(frame, 'src')).not.toBe(firstSrc);
    // The wall polls camera states every 3 s.
    await expect.poll(() => page.getAttribute('.tile[data-camera=cam1]', 'data-state'), { timeout: 5000 }).toMatch(/^(learning|live)$/);
  }, 60_000);

  it('shows an injected anomaly in the feed within 3 s of its open event, with its region drawn on the tile', async () => {
    await stack.waitForCameraState('live', stack.wallTimeOf(FIRST.startSeconds - 1));
    await page.waitForSelector('.tile[data-camera=cam1][data-state=live]', { timeout: 10_000 });
    const deadline = stack.wallTimeOf(FIRST.startSeconds + CONFIRM_SECONDS + 6);
    const item = page.locator('li.alert[data-camera=cam1]').first();
    await item.waitFor({ timeout: Math.max(1000, deadline - Date.now()) }).catch(() => {
      throw new Error(`no alert in the feed by ${FIRST.startSeconds + CONFIRM_SECONDS + 6} s of video\n${stack.logs()}`);
    });
    firstAlertId = (await item.getAttribute('data-alert-id'))!;
    const open = (await stack.alertEvents()).find((e) => e.event === 'open' && e.alert.id === firstAlertId);
    expect(open, 'the feed shows an alert that the stream opened').toBeDefined();
    const shownAt = Number(await item.getAttribute('data-shown-at'));
    const lag = shownAt - eventTimeMs(open!.eventId);
    console.log(`[figures] alert in the browser feed ${lag} ms after its open event was written (budget 3000 ms)`);
    expect(lag).toBeLessThanOrEqual(3000);

    // Its regions are outlined on the camera's tile while it is open, where the alert says they are.
    const rects = page.locator(`.tile[data-camera=cam1][data-alert-id="${firstAlertId}"] rect.alert-region`);
    await expect.poll(() => rects.count(), { timeout: 3000 }).toBeGreaterThan(0);
    const drawn = await rects.evaluateAll((els) => els.map((r) => ['x', 'y', 'width', 'height'].map((k) => Number(r.getAttribute(k)))));
    const regions = open!.alert.regions as { x: number; y: number; width: number; height: number }[];
    const events = (await stack.alertEvents()).filter((e) => e.alert.id === firstAlertId).map((e) => e.alert.regions as typeof regions);
    const known = events.flatMap((rs) => rs.map((r) => [r.x, r.y, r.width, r.height].join()));
    for (const d of drawn) expect(known).toContain(d.join());
    expect(regions.length).toBeGreaterThan(0);
    await expect.poll(() => page.locator('.tile[data-camera=cam1].alerting').count()).toBe(1);
    await expect.poll(async () => Number(await page.getAttribute('.timeline-chart', 'data-points')), { timeout: 20_000 }).toBeGreaterThan(0);
    await page.waitForFunction((id) => ((document.querySelector(`li.alert[data-alert-id="${id}"] .snapshot img`) as HTMLImageElement | null)?.naturalWidth ?? 0) > 0, firstAlertId, { timeout: 5000 });
    await page.screenshot({ path: join(SCREENSHOTS, 'camera-wall-alert.png') });
  }, 90_000);

  it('acknowledges the alert and marks it confirmed from the feed; the store records both with the operator role', async () => {
    // The history records the stream a moment after the push.
    await expect.poll(async () => (await getAlert(firstAlertId)).status, { timeout: 10_000 }).toBe(200);
    const li = page.locator(`li.alert[data-alert-id="${firstAlertId}"]`);
    await li.locator('button.ack').click();
    await expect.poll(async () => (await getAlert(firstAlertId)).alert?.ack?.role, { timeout: 5000 }).toBe('operator');
    await expect(li.locator('.status').textContent()).resolves.toContain('acknowledged');
    await expect.poll(() => li.locator('button.ack').isDisabled()).toBe(true);
    await li.locator('button.confirm').click();
    await expect.poll(async () => (await getAlert(firstAlertId)).alert?.feedback?.verdict, { timeout: 5000 }).toBe('confirmed');
  }, 30_000);

  it('shows a viewer the alerts but no acknowledge or feedback buttons', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    try {
      const viewer = await ctx.newPage();
      await logIn(viewer, VIEWER);
      expect(await viewer.getAttribute('header.top .role', 'data-role')).toBe('viewer');
      await viewer.waitForSelector(`li.alert[data-alert-id="${firstAlertId}"]`, { timeout: 10_000 });
      expect(await viewer.locator('li.alert button.ack').count()).toBe(0);
      expect(await viewer.locator('li.alert .actions').count()).toBe(0);
      await expect(viewer.locator(`li.alert[data-alert-id="${firstAlertId}"] .status`).textContent()).resolves.toContain('acknowledged');
      await viewer.goto(`${stack.url}/#/reviews`);
      await viewer.waitForSelector('.reviews-page', { timeout: 5000 });
      expect(await viewer.locator('form.start-review').count()).toBe(0);
    } finally {
      await ctx.close();
    }
  }, 30_000);

  it('keeps working across a gateway restart: reconnects and shows the alert raised while the gateway was down', async () => {
    await sleepUntil(stack.wallTimeOf(SECOND.startSeconds - 4));
    const before = new Set((await stack.alertEvents()).map((e) => e.alert.id));
    await stack.killService('gateway');
    await page.waitForSelector('.live-status[data-status=reconnecting]', { timeout: 10_000 });

    // The worker opens the second alert while no gateway runs.
    const deadline = stack.wallTimeOf(SECOND.startSeconds + CONFIRM_SECONDS + 6);
    let secondId: string | undefined;
    while (!secondId) {
      secondId = (await stack.alertEvents()).find((e) => e.event === 'open' && !before.has(e.alert.id))?.alert.id;
      if (!secondId && Date.now() > deadline) throw new Error(`no second alert while the gateway was down\n${stack.logs()}`);
      if (!secondId) await new Promise((r) => setTimeout(r, 250));
    }
    expect(await page.locator(`li.alert[data-alert-id="${secondId}"]`).count()).toBe(0);

    const restartedAt = Date.now();
    stack.startService('gateway');
    await stack.waitForGateway();
    await page.waitForSelector(`li.alert[data-alert-id="${secondId}"]`, { timeout: 20_000 });
    console.log(`[figures] after a gateway restart the page showed the alert raised meanwhile ${Date.now() - restartedAt} ms after the new gateway process started`);
    await page.waitForSelector('.live-status[data-status=live]', { timeout: 5000 });
    // The tile goes on updating through the new gateway.
    const frame = '.tile[data-camera=cam1] img.live-frame';
    const seq = await page.getAttribute(frame, 'data-seq');
    await page.waitForFunction(([sel, s]) => document.querySelector(sel!)?.getAttribute('data-seq') !== s, [frame, seq] as const, { timeout: 10_000 });
  }, 90_000);

  it('opens the full-rate view of a camera on demand and stops its relay when closed', async () => {
    await page.click('.tile[data-camera=cam1] button.full-rate');
    await expect.poll(async () => Number(await page.getAttribute('.full-rate-canvas', 'data-decoded')), { timeout: 15_000 }).toBeGreaterThan(10);
    await page.click('.modal button.close');
    const log = () => spawnSync('cat', [stack.services.get('gateway')!.logFile], { encoding: 'utf8' }).stdout;
    await expect.poll(() => log(), { timeout: 5000 }).toContain('full-rate view stopped');
  }, 30_000);

  it('starts a review of a recording on the server from the review page and opens its report', async () => {
    await page.goto(`${stack.url}/#/reviews`);
    await page.waitForSelector('form.start-review', { timeout: 5000 });
    await page.fill('form.start-review input[name=file]', join(stack.dataDir, 'recordings', 'street-injected.mp4'));
    await page.click('form.start-review button[type=submit]');
    await expect.poll(() => page.textContent('.reviews-page .message')).toMatch(/queued/);
    const row = page.locator('table.reviews tr[data-review-id]').first();
    await expect.poll(() => row.getAttribute('data-state'), { timeout: 90_000, interval: 1000 }).toBe('completed');
    await row.locator('button.open-report').click();
    const frame = page.frameLocator('iframe.report-frame');
    await frame.locator('#timeline').waitFor({ timeout: 10_000 });
    expect(Number(await row.locator('td').nth(4).textContent())).toBeGreaterThanOrEqual(1);
    await frame.locator('.thumb img').first().waitFor({ timeout: 5000 });
    await page.screenshot({ path: join(SCREENSHOTS, 'review-report.png') });
  }, 120_000);
});
