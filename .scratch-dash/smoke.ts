import { join } from 'node:path';
import { VigilStack } from '../test/support/vigilStack.js';
import { launchChromium } from '../test/support/browser.js';
import { REPO_ROOT } from '../test/support/vigilProcess.js';

const stack = await VigilStack.start({ clip: join(REPO_ROOT, 'footage/street.mp4'), tokens: [{ token: 'operator-token-1', role: 'operator' }, { token: 'viewer-token-1', role: 'viewer' }], learnSeconds: 10 });
try {
  await stack.waitForGateway();
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  page.on('console', (m) => console.log('console:', m.type(), m.text()));
  page.on('pageerror', (e) => console.log('pageerror:', e.message));
  await page.goto(stack.url);
  await page.fill('input[name=token]', 'operator-token-1');
  await page.click('button[type=submit]');
  await page.waitForSelector('.tile[data-camera=cam1] img.live-frame[data-seq]', { timeout: 30000 });
  console.log('seq', await page.getAttribute('.tile img.live-frame', 'data-seq'));
  await page.waitForTimeout(25000);
  console.log('seq', await page.getAttribute('.tile img.live-frame', 'data-seq'), 'state', await page.getAttribute('.tile', 'data-state'), 'points', await page.getAttribute('.timeline-chart', 'data-points'), 'score', await page.textContent('.tile .score'));
  await page.screenshot({ path: '.scratch-dash/wall.png' });
  await page.click('.tile button.full-rate');
  await page.waitForTimeout(6000);
  console.log('decoded', await page.getAttribute('.full-rate-canvas', 'data-decoded'));
  await page.screenshot({ path: '.scratch-dash/full.png' });
  await page.click('.modal button.close');
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.waitForTimeout(1500);
  await page.screenshot({ path: '.scratch-dash/laptop.png' });
  await browser.close();
} finally {
  console.log(stack.logs(15));
  await stack.stop();
}
