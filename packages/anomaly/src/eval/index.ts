export * from './datasetError.js';
export * from './frameLabels.js';
export * from './metrics.js';
export * from './ucsdDataset.js';
export * from './memberModels.js';
export * from './runEval.js';
