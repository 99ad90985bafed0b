// Processor :8091 — HTTP face of a processor process: health of its backends, metrics and node stats.
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Backends } from '../backends/backends.js';
import { createHttpApp } from '../http/http-app.js';
import { registerNodeRoutes } from '../node/node-routes.js';
import type { NodeRuntime } from '../node/node-runtime.js';
import type { ProcessorCounters } from './processor.js';
import type { TestStatsSnapshot } from './test-stats.js';

export function buildProcessorApp(options: {
  backends: Backends;
  node: NodeRuntime;
  logger: Logger;
  counters: () => ProcessorCounters;
  /** Per load test (the envelope's test id): stored count and end-to-end histogram. */
  tests?: () => Record<string, TestStatsSnapshot>;
}): FastifyInstance {
  const { backends, node } = options;
  const app = createHttpApp({ logger: options.logger });
  registerNodeRoutes(app, node, {
    checks: {
      bus: () => backends.bus.health(),
      store: () => backends.store.health(),
      cache: () => backends.cache.health(),
    },
    roleStats: () => ({ processor: options.counters(), tests: options.tests?.() ?? {} }),
  });
  return app;
}
