// Public surface of @logperf/measurements: the shapes that cross a process or a table, their repositories, and the
// bottleneck rule table the monitor and the analyzer share.
export * from './load-test-result.js';
export * from './load-test-progress.js';
export * from './results-repository.js';
export * from './node-stats.js';
export * from './history-row.js';
export * from './history.js';
export * from './history-minutes.js';
export * from './rule-inputs.js';
export * from './bottlenecks.js';
export * from './node-rules.js';
export * from './history-codec.js';
export * from './stall-rules.js';
