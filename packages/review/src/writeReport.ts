/** Writes a review to a folder: thumbs/<n>.jpg, report.html, then report.json (its presence means the rest is there). */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderReportHtml } from './reportHtml.js';
import type { ReviewResult } from './report.js';

export const REPORT_FILES = { json: 'report.json', html: 'report.html', thumbs: 'thumbs' } as const;

export async function writeReport(result: ReviewResult, outDir: string): Promise<{ json: string; html: string }> {
  const { report, thumbnails } = result;
  await mkdir(join(outDir, REPORT_FILES.thumbs), { recursive: true });
  for (const alert of report.alerts) {
    const jpeg = thumbnails[alert.n - 1];
    if (jpeg) await writeFile(join(outDir, alert.thumbnail), jpeg);
  }
  const html = join(outDir, REPORT_FILES.html);
  const json = join(outDir, REPORT_FILES.json);
  await replace(html, renderReportHtml(report, thumbnails));
  await replace(json, JSON.stringify(report, null, 2) + '\n');
  return { json, html };
}

async function replace(file: string, content: string): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, content);
  await rename(tmp, file);
}
