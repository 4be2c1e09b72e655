export * from './frameChange.js';
export * from './cascade.js';
