import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit+integration',
          include: ['packages/*/test/**/*.test.ts', 'services/*/test/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['test/e2e/**', 'test/browser/**', '**/node_modules/**'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        // End-to-end files run real ffmpeg, GStreamer and several services with latency budgets:
        // one at a time, after everything else, so two cores are not shared between them.
        extends: true,
        test: {
          name: 'e2e',
          // Browser tests drive the same real stack (and Chromium): they run here too, one file at a time.
          include: ['test/e2e/**/*.test.ts', 'test/browser/**/*.test.ts'],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
