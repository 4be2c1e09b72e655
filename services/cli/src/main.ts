#!/usr/bin/env node
/** The `vigil` command. User mistakes become one line on stderr and a non-zero exit, never a stack trace. */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
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

const program = new Command('vigil')
  .description('Real-time video anomaly monitor for traffic cameras')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

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
