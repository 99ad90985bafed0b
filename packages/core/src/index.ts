// Public surface of @logperf/core.
export * from './event.js';
export * from './errors.js';
export * from './config.js';
export * from './histogram.js';
