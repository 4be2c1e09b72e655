export * from './workerService.js';
export * from './learnJobs.js';
