// Entry of the fitting thread (fitThread.ts). From the TypeScript sources it first registers tsx in
// this thread, since Node 20 applies neither the parent's loader hooks nor `--import` to a worker's entry.
import { workerData } from 'node:worker_threads';

if (workerData.entry.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.entry);
