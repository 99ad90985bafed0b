// Public surface of @logperf/monitor.
export * from './latency-windows.js';
export * from './node-scraper.js';
export * from './lag-watcher.js';
export * from './cluster-state.js';
export * from './prometheus.js';
export * from './monitor-app.js';
export * from './start-monitor.js';
export * from './dashboard.js';
export * from './history.js';
