export * from './schedule.js';
export * from './injectAnomaly.js';
export * from './renderInjected.js';
