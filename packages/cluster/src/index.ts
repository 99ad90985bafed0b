// Public surface of @logperf/cluster.
export * from './backends/bus/bus.js';
export * from './backends/store/store.js';
export * from './backends/cache/cache.js';
export * from './backends/backends.js';
export * from './node/telemetry.js';
export * from './node/node-runtime.js';
export * from './gateway/gateway-app.js';
export * from './processor/processor.js';
export * from './roles.js';
export * from './http/http-app.js';
export * from './http/access.js';
export * from './node/node-routes.js';
export * from './backends/store/sql-client.js';
export { IN_MEMORY, removeDataDirs } from './backends/store/pglite-dir.js';
export * from './http/validate.js';
export * from './http/admission.js';
