// Public surface of @logperf/cluster.
export * from './backends/bus/bus.js';
export * from './backends/store/store.js';
export * from './backends/cache/cache.js';
export * from './backends/backends.js';
export * from './gateway/gateway-app.js';
export * from './processor/processor.js';
export * from './roles.js';
export * from './backends/store/create-sql-client.js';
export { IN_MEMORY, removeDataDirs } from './backends/store/pglite-dir.js';
export * from './gateway/admission.js';
