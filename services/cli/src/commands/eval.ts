/** `vigil eval`: train on a UCSD-layout dataset's Train clips, score its Test clips, print and save the figures. */
import { writeFileSync } from 'node:fs';
import { UsageError } from '@vigil/core';
import { detectorNames, runEval, type CombineRule, type EvalReport } from '@vigil/anomaly';
import { terminalProgress } from '../progress.js';

export interface EvalCommandOptions {
  dataset: string;
  json?: string;
  members?: string[];
  width?: number;
  fpsTrain?: number;
  datasetFps?: number;
  memberPixels?: boolean;
  threads?: number;
  combine?: CombineRule;
}

export async function runEvalCommand(opts: EvalCommandOptions): Promise<EvalReport> {
  if (opts.members) checkMembers(opts.members);
  const progress = terminalProgress();
  let report: EvalReport;
  try {
    report = await runEval({
      dataset: opts.dataset,
      ...(opts.members ? { members: opts.members } : {}),
      ...(opts.width !== undefined ? { width: opts.width } : {}),
      ...(opts.fpsTrain !== undefined ? { trainFps: opts.fpsTrain } : {}),
      ...(opts.datasetFps !== undefined ? { datasetFps: opts.datasetFps } : {}),
      ...(opts.memberPixels !== undefined ? { memberPixels: opts.memberPixels } : {}),
      ...(opts.threads !== undefined ? { threads: opts.threads } : {}),
      ...(opts.combine ? { combine: opts.combine } : {}),
      onProgress: ({ phase, done, total }) => progress.update(PHASES[phase], done, total),
    });
  } finally {
    progress.stop();
  }
  if (opts.json) writeFileSync(opts.json, JSON.stringify(report, null, 2) + '\n');
  process.stdout.write(formatReport(report));
  return report;
}

const PHASES = { decode: 'decoding', fit: 'training', score: 'scoring' } as const;

/** Fails before any decoding when a member name is unknown. */
export function checkMembers(members: string[]): void {
  const known = detectorNames();
  const unknown = members.filter((m) => !known.includes(m));
  if (members.length === 0) throw new UsageError('--members: name at least one detector');
  if (unknown.length) throw new UsageError(`--members: unknown detector${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (known: ${known.join(', ')})`);
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

function formatReport(r: EvalReport): string {
  const f = (x: number | null | undefined) => (x === null || x === undefined ? '  –  ' : x.toFixed(3));
  const pixel = r.pixelAUROC !== undefined;
  const rows = [
    `dataset   ${r.dataset}: ${r.trainFrames} training frames, ${r.testFrames} test frames (${r.anomalousFrames} anomalous), ${r.frame.width}x${r.frame.height}`,
    `backend   ${r.backend}; trained in ${r.trainSeconds.toFixed(1)} s; scored ${r.framesPerSecond.toFixed(1)} frames/s a thread on ${r.threads} thread${r.threads > 1 ? 's' : ''}; ${r.wallSeconds.toFixed(0)} s in all`,
    '',
    `${'member'.padEnd(18)} frame AUROC  frame AP${pixel ? '  pixel AUROC' : ''}`,
    ...Object.entries(r.members).map(([name, m]) => `${name.padEnd(18)} ${f(m.frameAUROC).padStart(11)}  ${f(m.frameAP).padStart(8)}${pixel ? f(m.pixelAUROC).padStart(13) : ''}`),
    `${'ensemble, instant'.padEnd(18)} ${f(r.instant.frameAUROC).padStart(11)}  ${f(r.instant.frameAP).padStart(8)}${pixel ? '      –' : ''}   (each frame on its own)`,
    `${'ensemble'.padEnd(18)} ${f(r.frameAUROC).padStart(11)}  ${f(r.frameAP).padStart(8)}${pixel ? f(r.pixelAUROC).padStart(13) : ''}   (through the temporal stage: what alerts)`,
    ...(r.cascade
      ? [
          `${'ensemble, CPU cascade'.padEnd(18)} ${f(r.cascade.frameAUROC).padStart(8)}  ${f(r.cascade.frameAP).padStart(8)}${pixel ? f(r.cascade.pixelAUROC).padStart(13) : ''}` +
            `   (backbone tier on ${(100 * r.cascade.backboneShare).toFixed(0)} % of frames, as the live worker without a GPU)`,
        ]
      : []),
    '',
    `at threshold (score ≥ 1): ensemble flags ${pct(r.atThreshold.recallAtThreshold)} of anomalous frames and ${pct(r.atThreshold.falsePositiveRateAtThreshold)} of normal ones` +
      (r.cascade ? `; CPU cascade ${pct(r.cascade.recallAtThreshold)} and ${pct(r.cascade.falsePositiveRateAtThreshold)}` : ''),
    `on its ROC curve: ${r.rocPoints.map((p) => `${p.recall === null ? '–' : pct(p.recall)} of anomalous frames at ${pct(p.falsePositiveRate)} of normal ones`).join(', ')}`,
  ];
  return rows.join('\n') + '\n';
}
