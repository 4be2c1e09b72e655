/** Learning a camera's model: frames collected by ingest (learningFrames.ts), fitted and published by a worker or `vigil train` (learn.ts). */
export * from './learningFrames.js';
export * from './learn.js';
export * from './learnJob.js';
