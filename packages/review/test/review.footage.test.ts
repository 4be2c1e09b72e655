/**
 * `vigil review` on real footage with two injected stopped vehicles: both reported, each starting
 * once it has stood a couple of seconds (the background pair's short memory), and the HTML report renders offline in Chromium (screenshot in
 * test-output/screenshots/review-report.png). Its speed target (≥ 3× real time) is measured by
 * test/bench/review.bench.ts, not here: a shared CI machine makes timings flaky.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fitCameraModel, framesWithPrev, renderInjectedVideo, saveCameraModel, type AnomalySpec } from '@vigil/anomaly';
import { decodeFrames } from '@vigil/video';
import { REPO_ROOT, runVigil } from '../../../test/support/vigilProcess.js';
import type { ReviewReport } from '../src/report.js';

const OUTPUT = join(REPO_ROOT, 'test-output');
const VIDEO = join(OUTPUT, 'review', 'street-two-stopped.mp4');
const SCREENSHOT = join(OUTPUT, 'screenshots', 'review-report.png');
const TRAIN_SECONDS = 20;
const figures = (msg: string) => process.stdout.write(`  [figures] ${msg}\n`);

/**
 * Vehicle-sized objects that pull in and stop within 0.2 s. The detector flags a vehicle once it
 * stands still where traffic flows (while it drives in, it looks like traffic), so the alert's
 * start is measured against the moment it appears and the moment it stops.
 */
const ENTER_SECONDS = 0.2;
const anomalies: AnomalySpec[] = [
  {
    kind: 'stopped-vehicle',
    startSeconds: 45,
    durationSeconds: 8,
    enterSeconds: ENTER_SECONDS,
    size: { width: 0.16, height: 0.18 },
    position: { x: 0.3, y: 0.7 },
    velocity: { x: 0.08, y: -0.05 },
  },
  {
    kind: 'stopped-vehicle',
    startSeconds: 62,
    durationSeconds: 8,
    enterSeconds: ENTER_SECONDS,
    size: { width: 0.16, height: 0.18 },
    position: { x: 0.55, y: 0.62 },
    velocity: { x: -0.08, y: -0.1 },
  },
];

describe('vigil review of street footage with two stopped vehicles injected', () => {
  let work: string;
  let outDir: string;
  let report: ReviewReport;
  let stdout = '';

  beforeAll(async () => {
    // Rendered once into test-output (gitignored) and reused: 75 s of 640×352 at 24 fps takes a while to encode.
    const gt = await renderInjectedVideo({ src: join(REPO_ROOT, 'footage/street.mp4'), out: VIDEO, anomalies, repeat: 2 });
    expect(gt.durationSeconds).toBeGreaterThan(75);
    work = await mkdtemp(join(tmpdir(), 'vigil-review-'));
    // The camera's model, learnt from the clean first 20 s of the same video, saved as `vigil train` would.
    const frames: Uint8Array[] = [];
    let width = 0,
      height = 0;
    for await (const f of decodeFrames(VIDEO, { fps: 5, width: 320, maxFrames: TRAIN_SECONDS * 5 })) {
      frames.push(f.data);
      width = f.width;
      height = f.height;
    }
    const model = await fitCameraModel(framesWithPrev(frames, width, height), { cameraId: 'street' });
    const modelDir = join(work, 'models', 'street', model.manifest.version);
    await saveCameraModel(model, modelDir);

    // An older version beside it that cannot load: given the camera's models folder (what `vigil train
    // --out` fills), review takes the newest version.
    mkdirSync(join(work, 'models', 'street', '20200101T000000Z-00000000'));
    writeFileSync(join(work, 'models', 'street', '20200101T000000Z-00000000', 'manifest.json'), '{}');
    outDir = join(work, 'report');
    const r = runVigil(['review', VIDEO, '--model', join(work, 'models', 'street'), '--out', outDir], 180_000);
    expect(r.stderr.split('\n').filter((l) => /error|at /.test(l))).toEqual([]);
    expect(r.status).toBe(0);
    stdout = r.stdout;
    report = JSON.parse(readFileSync(join(outDir, 'report.json'), 'utf8')) as ReviewReport;
  }, 300_000);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('reports both, each starting once the vehicle has stood at most 3 s', () => {
    const starts = report.alerts.map((a) => a.start);
    figures(`alerts ${report.alerts.map((a) => `${a.start.toFixed(1)}–${a.end.toFixed(1)} s peak ${a.peakScore.toFixed(2)}`).join('; ')}`);
    expect(report.alerts).toHaveLength(2);
    for (const [i, spec] of anomalies.entries()) {
      const alert = report.alerts[i]!;
      const stoppedAt = spec.startSeconds + ENTER_SECONDS;
      figures(
        `injection ${i + 1}: appears ${spec.startSeconds} s, stops ${stoppedAt.toFixed(1)} s; alert starts ${alert.start.toFixed(2)} s (${(alert.start - spec.startSeconds).toFixed(2)} s after it appears), confirmed ${alert.confirmedAt.toFixed(2)} s`,
      );
      expect(alert.start).toBeGreaterThanOrEqual(spec.startSeconds);
      expect(alert.start - stoppedAt).toBeLessThanOrEqual(3);
      // It lasts while the vehicle stands there (8 s), ending at its last frame over threshold.
      expect(alert.end).toBeGreaterThan(spec.startSeconds + spec.durationSeconds - 1);
      expect(alert.end).toBeLessThanOrEqual(spec.startSeconds + spec.durationSeconds + 0.5);
    }
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    // The regions are where the vehicles stopped.
    for (const [i, spec] of anomalies.entries()) {
      const r = report.alerts[i]!.regions[0]!;
      expect(spec.position.x).toBeGreaterThan(r.x - 0.05);
      expect(spec.position.x).toBeLessThan(r.x + r.width + 0.05);
      expect(spec.position.y).toBeGreaterThan(r.y - 0.05);
      expect(spec.position.y).toBeLessThan(r.y + r.height + 0.05);
    }
  });

  it('reports the whole video and its processing speed', () => {
    const ratio = report.durationSeconds / report.processingSeconds;
    figures(
      `${report.durationSeconds.toFixed(1)} s of video (${report.framesAnalysed} frames at ${report.fps} fps, ${report.frame.width}x${report.frame.height}) reviewed in ${report.processingSeconds.toFixed(2)} s: ${ratio.toFixed(1)}× real time (${report.backend})`,
    );
    expect(report.durationSeconds).toBeCloseTo(75.4, 0);
    expect(ratio).toBeGreaterThan(0);
    expect(stdout).toMatch(/^2 alerts in 1:15\.4 of video, processed in [\d.]+ s \([\d.]+× real time\)$/m);
  });

  it('writes report.json in the documented shape, with thumbnails as files beside it', () => {
    expect(report).toMatchObject({ cameraId: 'street', fps: 5, frame: { width: 320, height: 176 }, threshold: 1, framesAnalysed: 377 });
    expect(report.modelVersion).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{8}$/);
    // The newest version of the camera's models folder, not the older one beside it.
    expect(report.modelVersion).not.toBe('20200101T000000Z-00000000');
    expect(stdout).toContain(`model: ${join(work, 'models', 'street', report.modelVersion)}`);
    expect(report.timeline).toHaveLength(377);
    for (const a of report.alerts) {
      expect(a).toEqual(expect.objectContaining({ start: expect.any(Number), end: expect.any(Number), peakScore: expect.any(Number), regions: expect.any(Array), members: expect.any(Object) }));
      expect(a.peakScore).toBeGreaterThan(1);
      expect(Object.keys(a.members).sort()).toEqual(['backgroundPair', 'flowHistogram']);
      const thumb = join(outDir, a.thumbnail);
      expect(a.thumbnail).toBe(`thumbs/${a.n}.jpg`);
      expect(statSync(thumb).size).toBeGreaterThan(2000);
      expect(readFileSync(thumb).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    }
  });

  it('renders report.html offline in Chromium: the timeline with threshold and spans, the thumbnails, the table', async () => {
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const fetched: string[] = [];
      page.on('request', (req) => fetched.push(req.url()));
      const html = join(outDir, 'report.html');
      await page.goto(pathToFileURL(html).href);
      await page.waitForLoadState('load');

      expect(await page.locator('#timeline polyline.score').count()).toBe(1);
      expect((await page.locator('#timeline polyline.score').getAttribute('points'))!.split(' ')).toHaveLength(377);
      expect(await page.locator('#timeline line.threshold').count()).toBe(1);
      expect(await page.locator('#timeline .alert-span').count()).toBe(2);
      const spanBox = await page.locator('#timeline .alert-span rect').first().boundingBox();
      expect(spanBox!.width).toBeGreaterThan(20);
      // Both thumbnails decoded and laid out.
      const sizes = await page.locator('.thumb img').evaluateAll((imgs) => imgs.map((i) => [(i as HTMLImageElement).naturalWidth, (i as HTMLImageElement).complete]));
      expect(sizes).toEqual([
        [320, true],
        [320, true],
      ]);
      expect(await page.locator('#alerts tbody tr').count()).toBe(2);
      await expect(page.locator('h1').textContent()).resolves.toContain('street-two-stopped.mp4');
      // Nothing but the page itself (thumbnails are data: URIs).
      expect(fetched.filter((u) => !u.startsWith('data:'))).toEqual([pathToFileURL(html).href]);

      mkdirSync(join(OUTPUT, 'screenshots'), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      expect(existsSync(SCREENSHOT)).toBe(true);
      figures(`screenshot ${SCREENSHOT}`);
    } finally {
      await browser.close();
    }
  });
});

describe('vigil review with bad input', () => {
  const oneLine = (r: { status: number | null; stderr: string }, mention: RegExp) => {
    expect(r.status).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^vigil: /);
    expect(lines[0]).toMatch(mention);
  };

  it('names a missing video file', () => {
    oneLine(runVigil(['review', '/nonexistent/clip.mp4', '--model', REPO_ROOT, '--out', join(tmpdir(), 'x')]), /video file not found: \/nonexistent\/clip\.mp4/);
  });

  it('names a model directory that is missing or is not a model version', () => {
    const video = join(REPO_ROOT, 'footage/street.mp4');
    oneLine(runVigil(['review', video, '--model', '/nonexistent/model', '--out', join(tmpdir(), 'x')]), /model directory not found: \/nonexistent\/model/);
    oneLine(runVigil(['review', video, '--model', join(REPO_ROOT, 'footage'), '--out', join(tmpdir(), 'x')]), /footage holds no model \(no manifest\.json in it or in a version folder inside it\)/);
  });

  describe('with a camera model', () => {
    let work: string, modelDir: string;
    beforeAll(async () => {
      work = await mkdtemp(join(tmpdir(), 'vigil-review-bad-'));
      const frames: Uint8Array[] = [];
      for await (const f of decodeFrames(join(REPO_ROOT, 'footage/street.mp4'), { fps: 5, width: 320, maxFrames: 30 })) frames.push(f.data);
      const model = await fitCameraModel(framesWithPrev(frames, 320, 176), { cameraId: 'street', members: ['patchGaussian'] });
      modelDir = join(work, 'models', 'street', model.manifest.version);
      await saveCameraModel(model, modelDir);
    }, 120_000);
    afterAll(async () => {
      if (work) await rm(work, { recursive: true, force: true });
    });

    it('names a file that is not video (random bytes, an empty file) in one line, writing no report', () => {
      const noise = join(work, 'noise.mp4'),
        empty = join(work, 'empty.mp4');
      writeFileSync(noise, randomBytes(300_000));
      writeFileSync(empty, '');
      for (const file of [noise, empty]) {
        const out = join(work, `out-${file.length}`);
        oneLine(runVigil(['review', file, '--model', modelDir, '--out', out], 60_000), new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*(Invalid data|not a video|no video|empty)`, 'i'));
        expect(existsSync(join(out, 'report.json'))).toBe(false);
      }
    }, 120_000);

    it('reviews what a truncated file holds, and says it decoded less than its header announces', async () => {
      // The moov atom first (as cameras and recorders write for streaming), then cut at a fifth: the header says 37.7 s.
      const whole = join(work, 'faststart.mp4'),
        cut = join(work, 'cut.mp4');
      const r = spawnSync('ffmpeg', ['-v', 'error', '-y', '-i', join(REPO_ROOT, 'footage/street.mp4'), '-c', 'copy', '-movflags', '+faststart', whole]);
      expect(r.status, r.stderr?.toString()).toBe(0);
      const bytes = readFileSync(whole);
      writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 5)));
      const out = join(work, 'cut-report');
      const run = runVigil(['review', cut, '--model', modelDir, '--out', out], 120_000);
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/warning: decoded \d+\.\d s of the 37\.\d s its header announces: the file is truncated or damaged/);
      const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as ReviewReport;
      expect(report.warnings).toHaveLength(1);
      expect(report.durationSeconds).toBeLessThan(20);
      expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('Warning: decoded');
    }, 180_000);
  });
});
