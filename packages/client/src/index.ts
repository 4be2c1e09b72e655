export * from './liveClient.js';
