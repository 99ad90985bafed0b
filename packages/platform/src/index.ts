// Public surface of @logperf/platform: what every logperf node (cluster roles and measuring services) runs on.
export * from './http/http-app.js';
export * from './http/access.js';
export * from './http/validate.js';
export * from './http/listen.js';
export * from './http/route-registry.js';
export * from './node/telemetry.js';
export * from './node/node-runtime.js';
export * from './node/node-routes.js';
export * from './node/running-role.js';
export * from './sql/sql-client.js';
