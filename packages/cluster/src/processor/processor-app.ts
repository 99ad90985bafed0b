// Processor :8091 — HTTP face of a processor process: health of its backends, metrics and node stats.
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Backends } from '../backends/backends.js';
import { createHttpApp } from '../http/http-app.js';
import { registerNodeRoutes } from '../node/node-routes.js';
import type { NodeRuntime } from '../node/node-runtime.js';
import type { ProcessorCounters } from './processor.js';

export function buildProcessorApp(options: {
  backends: Backends;
  node: NodeRuntime;
  logger: Logger;
  counters: () => ProcessorCounters;
}): FastifyInstance {
  const { backends, node } = options;
  const app = createHttpApp({ logger: options.logger });
  registerNodeRoutes(app, node, {
    checks: {
      bus: () => backends.bus.health(),
      store: () => backends.store.health(),
      cache: () => backends.cache.health(),
    },
    // The embedded store's size and retention live in this process, so its memory figures are read beside them.
    roleStats: async () => ({ processor: options.counters(), store: (await backends.store.usage?.()) ?? null }),
  });
  return app;
}
