// Public surface of @logperf/core.
export * from './event.js';
export * from './text.js';
export * from './swallowed-errors.js';
export * from './bus-envelope.js';
export * from './errors.js';
export * from './config.js';
export * from './histogram.js';
export * from './logger.js';
export * from './timeout.js';
export * from './system/index.js';
export * from './stats.js';
export * from './regression.js';
export * from './node-samples.js';
export * from './advice.js';
export * from './clock-offset.js';
export * from './clock-client.js';
