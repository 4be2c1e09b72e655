import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeJpeg } from '@vigil/video';
import { formatVideoTime, renderReportHtml } from '../src/reportHtml.js';
import { writeReport } from '../src/writeReport.js';
import type { ReviewReport, ReviewResult } from '../src/report.js';

function result(overrides: Partial<ReviewReport> = {}): ReviewResult {
  const timeline = Array.from({ length: 100 }, (_, i) => ({ t: i / 5, score: i >= 40 && i < 60 ? 3 : 0.3 }));
  const report: ReviewReport = {
    file: '/videos/<script>alert(1)</script>.mp4',
    cameraId: 'cam1',
    modelVersion: '20250101T000000Z-abcdef12',
    backend: 'cpu',
    fps: 5,
    frame: { width: 32, height: 16 },
    threshold: 1,
    alerts: [
      {
        n: 1,
        id: 'a1',
        start: 8,
        end: 11.8,
        confirmedAt: 8.4,
        peakScore: 3,
        peakAt: 9,
        regions: [{ x: 0.1, y: 0.2, width: 0.3, height: 0.4, score: 3 }],
        members: { 'patch<Gaussian>': 3 },
        thumbnail: 'thumbs/1.jpg',
      },
    ],
    timeline,
    durationSeconds: 20,
    processingSeconds: 2,
    framesAnalysed: 100,
    createdAt: '2025-01-01T00:00:00.000Z',
    ...overrides,
  };
  return { report, thumbnails: [encodeJpeg(new Uint8Array(32 * 16 * 3).fill(128), 32, 16)] };
}

describe('report.html', () => {
  it('draws the score timeline, the threshold line and one shaded span per alert', () => {
    const html = renderReportHtml(result().report, result().thumbnails);
    expect(html.match(/<polyline class="score" points="([^"]+)"/)![1]!.split(' ')).toHaveLength(100);
    expect(html).toContain('class="threshold"');
    expect(html.match(/class="alert-span"/g)).toHaveLength(1);
    expect(html).toContain('<td>0:08.0 <small>(8.0 s)</small></td><td>0:11.8</td><td>3.8 s</td><td>3.00</td>');
  });

  it('is self-contained: inline style, the thumbnail as a data URI, a policy that forbids fetching anything', () => {
    const html = renderReportHtml(result().report, result().thumbnails);
    expect(html).toContain(`<img src="data:image/jpeg;base64,${Buffer.from(result().thumbnails[0]!).toString('base64')}"`);
    expect(html).toContain(`content="default-src 'none'; img-src data:; style-src 'unsafe-inline'"`);
    expect(html).not.toMatch(/<link|<script|(src|href)="(https?:|\/\/)/);
  });

  it('escapes names that come from files and models', () => {
    const html = renderReportHtml(result().report, result().thumbnails);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;.mp4');
    expect(html).toContain('patch&lt;Gaussian&gt; 3.00');
    expect(html).not.toContain('<script>');
  });

  it('says so when there are no alerts', () => {
    const html = renderReportHtml(result({ alerts: [] }).report, []);
    expect(html).toContain('No alerts.');
    expect(html).not.toContain('class="alert-span"');
  });

  it('formats video times as m:ss.s', () => {
    expect([0, 9.96, 59.96, 75.4, 3600].map(formatVideoTime)).toEqual(['0:00.0', '0:10.0', '1:00.0', '1:15.4', '60:00.0']);
  });
});

describe('writeReport', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('writes report.json, report.html and thumbs/<n>.jpg, and nothing half-written', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-report-'));
    dirs.push(dir);
    const r = result();
    const written = await writeReport(r, join(dir, 'out'));
    expect(written).toEqual({ json: join(dir, 'out', 'report.json'), html: join(dir, 'out', 'report.html') });
    const json = JSON.parse(readFileSync(written.json, 'utf8')) as ReviewReport;
    expect(json).toEqual(r.report);
    expect(json.alerts[0]).toMatchObject({ start: 8, end: 11.8, peakScore: 3, regions: [{ x: 0.1 }], members: { 'patch<Gaussian>': 3 } });
    expect(readFileSync(join(dir, 'out', 'thumbs', '1.jpg'))).toEqual(Buffer.from(r.thumbnails[0]!));
    expect(existsSync(written.html)).toBe(true);
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(['report.html', 'report.json', 'thumbs']);
  });
});
