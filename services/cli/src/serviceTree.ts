/** Runs vigil services as child processes of this one; restarts a child that dies, stops all on a signal. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createLogger } from '@vigil/core';
import type { ServiceName } from './commands/service.js';

const log = createLogger('up');
const RESTART_DELAY_MS = 1000;

export class ServiceTree {
  private readonly children = new Map<ServiceName, ChildProcess>();
  private stopping = false;

  constructor(
    private readonly configFile: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  start(names: ServiceName[]): void {
    for (const name of names) this.spawn(name);
  }

  private spawn(name: ServiceName): void {
    // Same runtime and loader flags (tsx) as this process, so children run from the sources too.
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, name, '--config', this.configFile], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: this.env,
    });
    this.children.set(name, child);
    child.on('exit', (code, signal) => {
      this.children.delete(name);
      if (this.stopping) return;
      log.error('service exited; restarting', { service: name, code, signal });
      setTimeout(() => !this.stopping && this.spawn(name), RESTART_DELAY_MS);
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const exits = [...this.children.values()].map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 5000).unref();
        }),
    );
    await Promise.all(exits);
  }

  untilSignal(): Promise<void> {
    return new Promise((resolve) => {
      const onSignal = () => void this.stop().then(resolve);
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
    });
  }
}
