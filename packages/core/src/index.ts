export * from './types.js';
export * from './errors.js';
export * from './config.js';
export * from './keys.js';
export * from './log.js';
export * from './jobs.js';
export * from './paths.js';
export * from './wire.js';
