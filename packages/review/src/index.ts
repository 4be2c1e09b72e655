export * from './report.js';
export * from './reviewVideo.js';
export * from './reportHtml.js';
export * from './writeReport.js';
export * from './jobs.js';
