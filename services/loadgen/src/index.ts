// Public surface of @logperf/loadgen.
export * from './pacer.js';
export * from './scenarios.js';
export * from './results.js';
export * from './attack.js';
export * from './target.js';
export * from './runner.js';
export * from './loadgen-app.js';
export * from './start-loadgen.js';
export * from './processor-latency.js';
export * from './clock-correction.js';
export * from './segment.js';
export * from './second-report.js';
export * from './work-order.js';
export * from './generator-threads.js';
export * from './generator-cost.js';
export * from './verdict.js';
