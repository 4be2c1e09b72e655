export * from './schedule.js';
export * from './injectAnomaly.js';
export * from './renderInjected.js';
export * from './syntheticDataset.js';
export { encodePng } from './png.js';
export * from './cutout.js';
export * from './realObjects.js';
