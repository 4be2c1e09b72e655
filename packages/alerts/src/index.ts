export * from './lifecycle.js';
export * from './extractRegions.js';
export * from './tamper.js';
