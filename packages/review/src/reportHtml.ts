/**
 * report.html: one self-contained page an analyst can open from disk or a mail attachment — inline
 * CSS, the score timeline as inline SVG (threshold line, shaded alert spans), thumbnails as data URIs,
 * a table of alerts. Its Content-Security-Policy forbids every fetch, so it provably works offline.
 */
import type { ReviewAlert, ReviewReport, TimelinePoint } from './report.js';

const PLOT = { width: 1000, height: 240, left: 48, right: 12, top: 14, bottom: 30 };

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** 75.4 → "1:15.4". */
export function formatVideoTime(seconds: number): string {
  // Rounded to tenths first, so 59.96 is "1:00.0", not "0:60.0".
  const tenths = Math.round(seconds * 10);
  const m = Math.floor(tenths / 600);
  return `${m}:${((tenths - m * 600) / 10).toFixed(1).padStart(4, '0')}`;
}

/** A tick step of 1, 2 or 5 × 10^k giving about `target` ticks over `span`. */
function tickStep(span: number, target: number): number {
  const raw = span / Math.max(1, target);
  const pow = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? 10 * pow;
}

function timelineSvg(report: ReviewReport): string {
  const { width, height, left, right, top, bottom } = PLOT;
  const plotW = width - left - right,
    plotH = height - top - bottom;
  const duration = Math.max(report.durationSeconds, 1e-6);
  const maxScore = Math.max(2, ...report.timeline.map((p) => p.score)) * 1.05;
  const x = (t: number) => left + (Math.min(Math.max(t, 0), duration) / duration) * plotW;
  const y = (s: number) => top + plotH - (Math.min(Math.max(s, 0), maxScore) / maxScore) * plotH;
  const f = (v: number) => v.toFixed(1);

  const parts: string[] = [];
  parts.push(`<rect class="plot-bg" x="${left}" y="${top}" width="${plotW}" height="${plotH}"/>`);
  for (const a of report.alerts) {
    const x0 = x(a.start),
      x1 = Math.max(x(a.end + 1 / report.fps), x0 + 2);
    parts.push(
      `<g class="alert-span" data-alert="${a.n}"><rect x="${f(x0)}" y="${top}" width="${f(x1 - x0)}" height="${plotH}"><title>alert ${a.n}: ${formatVideoTime(a.start)}–${formatVideoTime(a.end)}, peak ${a.peakScore.toFixed(2)}</title></rect>` +
        `<text x="${f(x0 + 3)}" y="${top + 12}">${a.n}</text></g>`,
    );
  }
  const tStep = tickStep(duration, 10);
  for (let t = 0; t <= duration + 1e-9; t += tStep) {
    parts.push(
      `<line class="grid" x1="${f(x(t))}" x2="${f(x(t))}" y1="${top}" y2="${top + plotH}"/><text class="tick" x="${f(x(t))}" y="${height - 10}" text-anchor="middle">${formatVideoTime(t)}</text>`,
    );
  }
  const sStep = tickStep(maxScore, 4);
  for (let s = 0; s <= maxScore + 1e-9; s += sStep) {
    parts.push(`<text class="tick" x="${left - 6}" y="${f(y(s) + 4)}" text-anchor="end">${Number(s.toFixed(2))}</text>`);
  }
  parts.push(`<polyline class="score" points="${scorePoints(report.timeline, x, y)}"/>`);
  parts.push(
    `<line class="threshold" x1="${left}" x2="${left + plotW}" y1="${f(y(1))}" y2="${f(y(1))}"/><text class="threshold-label" x="${left + plotW - 4}" y="${f(y(1) - 4)}" text-anchor="end">threshold</text>`,
  );
  return `<svg id="timeline" viewBox="0 0 ${width} ${height}" role="img" aria-label="anomaly score over the video, with the threshold and alert spans">` + parts.join('') + `</svg>`;
}

function scorePoints(timeline: TimelinePoint[], x: (t: number) => number, y: (s: number) => number): string {
  return timeline.map((p) => `${x(p.t).toFixed(1)},${y(p.score).toFixed(1)}`).join(' ');
}

function membersText(members: Record<string, number>): string {
  return Object.entries(members)
    .map(([name, score]) => `${escapeHtml(name)} ${score.toFixed(2)}`)
    .join(', ');
}

function alertRow(a: ReviewAlert): string {
  return (
    `<tr><td>${a.n}</td><td>${formatVideoTime(a.start)} <small>(${a.start.toFixed(1)} s)</small></td><td>${formatVideoTime(a.end)}</td>` +
    `<td>${(a.end - a.start).toFixed(1)} s</td><td>${a.peakScore.toFixed(2)}</td><td>${formatVideoTime(a.peakAt)}</td>` +
    `<td>${a.regions.length}</td><td>${membersText(a.members)}</td></tr>`
  );
}

function thumbnailFigure(a: ReviewAlert, jpeg: Uint8Array | undefined): string {
  const src = jpeg ? `data:image/jpeg;base64,${Buffer.from(jpeg).toString('base64')}` : '';
  return (
    `<figure class="thumb" id="alert-${a.n}"><img src="${src}" alt="alert ${a.n} at its peak, regions outlined">` +
    `<figcaption><b>${a.n}</b> · ${formatVideoTime(a.start)}–${formatVideoTime(a.end)} · peak ${a.peakScore.toFixed(2)} at ${formatVideoTime(a.peakAt)}</figcaption></figure>`
  );
}

const CSS = `
:root { color-scheme: light; --fg: #1d232b; --muted: #5c6773; --line: #d9dee4; --alert: #f28c28; --threshold: #c62828; --score: #1f5fbf; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: #f6f7f9; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 28px 0 10px; }
.meta { color: var(--muted); margin: 0 0 16px; } .meta b { color: var(--fg); font-weight: 600; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px; }
#timeline { width: 100%; height: auto; display: block; }
#timeline .plot-bg { fill: #fbfcfd; stroke: var(--line); }
#timeline .grid { stroke: #eef0f3; }
#timeline .tick { fill: var(--muted); font-size: 11px; }
#timeline .score { fill: none; stroke: var(--score); stroke-width: 1.5; stroke-linejoin: round; }
#timeline .threshold { stroke: var(--threshold); stroke-width: 1.2; stroke-dasharray: 6 4; }
#timeline .threshold-label { fill: var(--threshold); font-size: 11px; }
#timeline .alert-span rect { fill: var(--alert); fill-opacity: 0.28; stroke: var(--alert); stroke-opacity: 0.8; }
#timeline .alert-span text { fill: #8a4a08; font-size: 11px; font-weight: 600; }
.legend { color: var(--muted); font-size: 12px; margin-top: 6px; }
.legend i { display: inline-block; width: 18px; height: 0; vertical-align: middle; margin: 0 4px 0 12px; border-top: 2px solid var(--score); }
.legend i.t { border-top: 2px dashed var(--threshold); } .legend i.a { height: 10px; border: 1px solid var(--alert); background: rgba(242,140,40,.28); }
.thumbs { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 12px; }
.thumb { margin: 0; background: #fff; border: 1px solid var(--line); border-radius: 8px; overflow: hidden; }
.thumb img { width: 100%; display: block; image-rendering: auto; }
.thumb figcaption { padding: 6px 10px; font-size: 13px; }
table { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid var(--line); }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); font-variant-numeric: tabular-nums; }
th { background: #eef1f4; font-weight: 600; } small { color: var(--muted); }
.none { color: var(--muted); }
`;

export function renderReportHtml(report: ReviewReport, thumbnails: readonly Uint8Array[]): string {
  const name = report.file.split(/[\\/]/).pop() ?? report.file;
  const speed = report.processingSeconds > 0 ? report.durationSeconds / report.processingSeconds : 0;
  const alerts = report.alerts;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>vigil review: ${escapeHtml(name)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>Review of ${escapeHtml(name)}</h1>
<p class="meta"><b>${alerts.length}</b> alert${alerts.length === 1 ? '' : 's'} in <b>${formatVideoTime(report.durationSeconds)}</b> of video ·
camera <b>${escapeHtml(report.cameraId)}</b> · model <b>${escapeHtml(report.modelVersion)}</b> · ${report.fps} fps at ${report.frame.width}×${report.frame.height} ·
processed in ${report.processingSeconds.toFixed(1)} s (${speed.toFixed(1)}× real time, ${escapeHtml(report.backend)}) · ${escapeHtml(report.createdAt)}</p>
${(report.warnings ?? []).map((w) => `<p class="warning" style="color:#b00;font-weight:600">Warning: ${escapeHtml(w)}</p>`).join('\n')}
<h2>Score over time</h2>
<div class="card">${timelineSvg(report)}
<div class="legend"><i></i>frame score<i class="t"></i>threshold (1)<i class="a"></i>alert</div></div>
<h2>Alerts at their peak</h2>
${alerts.length ? `<div class="thumbs">${alerts.map((a) => thumbnailFigure(a, thumbnails[a.n - 1])).join('')}</div>` : '<p class="none">No alerts.</p>'}
<h2>Alerts</h2>
<table id="alerts"><thead><tr><th>#</th><th>start</th><th>end</th><th>duration</th><th>peak</th><th>peak at</th><th>regions</th><th>members at peak</th></tr></thead>
<tbody>${alerts.map(alertRow).join('')}</tbody></table>
<p class="meta">File: ${escapeHtml(report.file)}</p>
</body>
</html>
`;
}
