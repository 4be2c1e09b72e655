/**
 * The webhook dispatch in a process of its own, for the crash test: config as JSON in
 * WEBHOOK_TEST_CONFIG, prints "ready" once dispatching, runs until killed.
 */
import { Redis } from 'ioredis';
import { parseConfig } from '@vigil/core';
import { startWebhookDispatch } from '../../src/webhooks/index.js';

const config = parseConfig(JSON.parse(process.env.WEBHOOK_TEST_CONFIG ?? '{}'), 'WEBHOOK_TEST_CONFIG');
const redis = new Redis(config.redis.url);
const dispatch = await startWebhookDispatch(
  config,
  { redis },
  {
    retryScheduleSeconds: [0, 0.2, 0.4, 0.8],
    concurrency: Number(process.env.WEBHOOK_TEST_CONCURRENCY ?? 2),
    // The same consumer name as the process it replaces, like a gateway restarted on the same host.
    consumer: 'crash-test',
    // A killed process's active deliveries are handed to the next one after ~2 s instead of 30 s.
    lockDurationMs: 2000,
    stalledIntervalMs: 1000,
  },
);
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void dispatch.close().then(() => {
    redis.disconnect();
    process.exit(0);
  });
});
