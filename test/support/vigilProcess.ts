/** Runs the real `vigil` CLI as a child process (from the sources, through tsx) for cross-service tests. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(REPO_ROOT, 'services/cli/src/main.ts');

export interface VigilProcess {
  child: ChildProcess;
  logFile: string;
  stop(): Promise<void>;
}

/** Starts `vigil <args…>` with its stdout and stderr going to logFile. */
export function startVigil(args: string[], logFile: string, env: NodeJS.ProcessEnv = {}): VigilProcess {
  mkdirSync(dirname(logFile), { recursive: true });
  const out = createWriteStream(logFile);
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    logFile,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/** Writes a vigil config (YAML) into `dir`; returns its path. */
export function writeVigilConfig(dir: string, config: Record<string, unknown>): string {
  const file = join(dir, 'vigil.yaml');
  writeFileSync(file, stringify(config));
  return file;
}

/** Runs `vigil <args…>` to completion. */
export function runVigil(args: string[], timeoutMs = 30_000): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: timeoutMs });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}
