export * from './schedule.js';
export * from './injectAnomaly.js';
