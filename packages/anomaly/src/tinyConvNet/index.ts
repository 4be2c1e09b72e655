/** Small conv nets trained in plain TypeScript and served by tfjs: what the learned members (autoencoder, deepSvdd, rotation) share. */
export * from './layers.js';
export * from './adam.js';
export * from './train.js';
export * from './tfForward.js';
export * from './frameImage.js';
export * from './weights.js';
export * from './cellStats.js';
