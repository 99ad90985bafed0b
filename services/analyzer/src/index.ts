// Public surface of @logperf/analyzer.
export * from './statistics.js';
export * from './usl.js';
export * from './run-data.js';
export * from './run-metrics.js';
export * from './compare.js';
export * from './diagnosis.js';
export * from './capacity.js';
export * from './recommendations.js';
export * from './analyzer-app.js';
export * from './start-analyzer.js';
