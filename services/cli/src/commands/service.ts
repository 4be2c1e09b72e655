/** `vigil ingest|worker|gateway --config F`: one service in this process until SIGINT/SIGTERM. */
import { createLogger } from '@vigil/core';
import { startIngest } from '@vigil/ingest';
import { startWorker } from '@vigil/worker';
import { startGateway } from '@vigil/gateway';
import { loadCheckedConfig } from '../checkedConfig.js';

export type ServiceName = 'ingest' | 'worker' | 'gateway';

export async function runService(name: ServiceName, configFile: string): Promise<void> {
  const config = loadCheckedConfig(configFile);
  const log = createLogger(name);
  const running = name === 'ingest' ? await startIngest(config) : name === 'worker' ? await startWorker(config) : await startGateway(config);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log.info('stopping', { signal });
      running.close().then(resolve, (err: unknown) => {
        log.error('unclean stop', { err });
        resolve();
      });
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}
