export * from './lifecycle.js';
export * from './extractRegions.js';
