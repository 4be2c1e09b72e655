#!/usr/bin/env node
/** The `vigil` command. User mistakes become one line on stderr and a non-zero exit, never a stack trace. */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { CombineRule } from '@vigil/anomaly';
import { VigilError } from '@vigil/core';
import { runService, type ServiceName } from './commands/service.js';
import { runUp } from './commands/up.js';
import { runDemo } from './commands/demo.js';

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number');
  return n;
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number 0–65535');
  return n;
}

const program = new Command('vigil').description('Real-time video anomaly monitor for traffic cameras').showHelpAfterError('(run with --help for usage)').exitOverride();

program
  .command('up')
  .description('run ingest, worker and gateway as one process tree')
  .requiredOption('-c, --config <file>', 'YAML config file')
  .action(async (opts: { config: string }) => runUp(opts.config));

for (const name of ['ingest', 'worker', 'gateway'] as const satisfies readonly ServiceName[]) {
  program
    .command(name)
    .description(`run the ${name} service`)
    .requiredOption('-c, --config <file>', 'YAML config file')
    .action(async (opts: { config: string }) => runService(name, opts.config));
}

program
  .command('demo')
  .description('serve a looped real traffic clip as a local RTSP camera with injected anomalies, run everything, show alerts')
  .option('-p, --port <port>', 'gateway port', port, 8080)
  .option('--seconds <n>', 'stop after this many seconds (default: run until Ctrl-C)', positiveNumber)
  .option('--until-alert', 'stop after the first alert closes')
  .option('--data <dir>', 'where the demo keeps its footage and models', '.vigil/demo')
  .action(async (opts: { port: number; seconds?: number; untilAlert?: boolean; data: string }) => runDemo(opts));

program
  .command('review')
  .description('run the pipeline over a recorded video and write report.json and report.html (alerts, score timeline, thumbnails)')
  .argument('<file>', 'video file')
  .requiredOption('-m, --model <dir>', "a camera's models folder, as vigil train --out fills it (its newest version is used), or one version folder (with manifest.json)")
  .requiredOption('-o, --out <dir>', 'folder for report.json, report.html and thumbs/')
  .option('--fps <n>', "analysed frames per second (the camera's; default 5)", positiveNumber)
  .action(async (file: string, opts: { model: string; out: string; fps?: number }) => {
    // Loaded on use: other commands do not need the review code.
    const { runReview } = await import('./commands/review.js');
    await runReview(file, opts);
  });

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive whole number');
  return n;
}

function combineOption(): Option {
  return new Option('--combine <rule>', "how members' scores combine (default max)").choices(['max', 'geometric-mean']);
}

function memberList(value: string): string[] {
  return value
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean);
}

program
  .command('train')
  .description("fit a camera's model on normal footage and write it as a new version directory")
  .requiredOption('--camera <id>', 'camera id')
  .requiredOption('-i, --input <source>', 'video file, folder of images (or of image clips), or RTSP/HTTP URL')
  .option('-o, --out <dir>', 'models folder of the camera: the version goes to <dir>/<version>/ (default with --data: <data>/models/<camera>)')
  .option('--data <dir>', 'data directory: its operator-marked normal frames of the camera are learned too')
  .option('--seconds <n>', 'seconds of footage to learn from (a file is looped to reach it; default: the whole file, 30 s of a URL)', positiveNumber)
  .option('--fps <n>', 'analysed frames per second (default 5)', positiveNumber)
  .option('--width <n>', 'analysed frame width in pixels (default 320)', positiveInteger)
  .option('--members <list>', 'comma-separated detectors (default: the standard ensemble)', memberList)
  .option('--config <file>', "take the camera's masks, zones, fps, width, members and combine rule from this config (options given here win)")
  .addOption(combineOption())
  .action(async (opts: { camera: string; input: string; out?: string; data?: string; seconds?: number; fps?: number; width?: number; members?: string[]; combine?: CombineRule; config?: string }) => {
    const { runTrain } = await import('./commands/train.js');
    await runTrain(opts);
  });

program
  .command('eval')
  .description('train on a UCSD-layout dataset (Train/, Test/, labels) and report frame and pixel AUROC, AP and speed')
  .requiredOption('-d, --dataset <dir>', 'dataset folder with Train/ and Test/')
  .option('--json <file>', 'also write the report as JSON')
  .option('--members <list>', 'comma-separated detectors (default: the standard ensemble)', memberList)
  .option('--width <n>', "analysed frame width in pixels (default: the frames' own, at most 320)", positiveInteger)
  .option('--fps-train <n>', 'learn from training frames at this rate (default: every frame)', positiveNumber)
  .option('--dataset-fps <n>', 'frame rate the dataset was recorded at (default 10, as UCSD)', positiveNumber)
  .option('--no-member-pixels', 'skip per-member pixel AUROC (saves a scoring pass per member)')
  .option('--threads <n>', 'threads scoring the test clips (default: one per core)', positiveInteger)
  .addOption(combineOption())
  .action(
    async (opts: { dataset: string; json?: string; members?: string[]; width?: number; fpsTrain?: number; datasetFps?: number; memberPixels: boolean; threads?: number; combine?: CombineRule }) => {
      const { runEvalCommand } = await import('./commands/eval.js');
      await runEvalCommand(opts);
    },
  );

program
  .command('synth')
  .description('write a UCSD-layout dataset from real footage with injected anomalies, frame labels and pixel masks')
  .requiredOption('-o, --out <dir>', 'dataset folder to write')
  .option('--source <file...>', 'footage to build from (default: footage/street.mp4 and footage/parking-overhead.mp4)')
  .option('--width <n>', 'frame width in pixels (default 320)', positiveInteger)
  .option('--fps <n>', 'frames per second taken from the footage (default 5)', positiveNumber)
  .option('--drawn', 'paint shapes (vehicle, pedestrian, debris, haze) in place of real vehicles cut out of the footage')
  .action(async (opts: { out: string; source?: string[]; width?: number; fps?: number; drawn?: boolean }) => {
    const { runSynth } = await import('./commands/synth.js');
    await runSynth(opts);
  });

async function main(): Promise<void> {
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander already printed its message (or the help).
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    if (err instanceof VigilError) {
      process.stderr.write(`vigil: ${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`vigil: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    if (process.env.VIGIL_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    process.exitCode = 1;
  }
}

await main();
