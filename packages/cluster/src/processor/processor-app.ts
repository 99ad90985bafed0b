// Processor :8091 — HTTP face of a processor process: health of its backends, metrics and node stats.
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Backends } from '../backends/backends.js';
import { createHttpApp, registerNodeRoutes, type NodeRuntime, type RouteRegistry } from '@logperf/platform';
import type { ConsumerStatus } from '../backends/bus/bus.js';
import type { ProcessorCounters } from './processor.js';
import type { TestStatsSnapshot } from './test-stats.js';

export function buildProcessorApp(options: {
  backends: Backends;
  node: NodeRuntime;
  logger: Logger;
  allowedHosts?: readonly string[] | undefined;
  /** Records the app and its routes (tests enumerate every route from it). */
  routes?: RouteRegistry | undefined;
  counters: () => ProcessorCounters;
  members: () => ConsumerStatus[];
  /** Per load test (the envelope's test id): stored count and end-to-end histogram. */
  tests?: () => Record<string, TestStatsSnapshot>;
}): FastifyInstance {
  const { backends, node } = options;
  const app = createHttpApp({ logger: options.logger, allowedHosts: options.allowedHosts, routes: options.routes });
  registerNodeRoutes(app, node, {
    checks: {
      bus: () => backends.bus.health(),
      store: () => backends.store.health(),
      cache: () => backends.cache.health(),
    },
    // A member with stalled partitions makes /health 503 `stalled`: its backends answer, yet its events do not move.
    stalledPartitions: () => [...new Set(options.members().flatMap((m) => m.stalledPartitions))].sort((a, b) => a - b),
    // The embedded store's size and retention live in this process, so its memory figures are read beside them.
    roleStats: async () => ({
      processor: { ...options.counters(), members: options.members() },
      tests: options.tests?.() ?? {},
      store: (await backends.store.usage?.()) ?? null,
    }),
  });
  return app;
}
