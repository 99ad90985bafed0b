// Routes every node serves: GET /health (its backends), GET /metrics (Prometheus), GET /api/node/stats (JSON),
// GET /api/node/clock (its wall time, for the clock-offset exchange).
import { CLOCK_ROUTE, swallowedErrors, wallNowMs, withTimeout, type NodeClockReading } from '@logperf/core';
import type { FastifyInstance } from 'fastify';
import type { NodeRuntime } from './node-runtime.js';

export type { NodeRuntime } from './node-runtime.js';
export type HealthChecks = Record<string, () => Promise<void>>;

const HEALTH_TIMEOUT_MS = 2000;

async function check(probe: () => Promise<void>): Promise<string> {
  try {
    await withTimeout(probe(), HEALTH_TIMEOUT_MS, () => new Error(`no answer within ${HEALTH_TIMEOUT_MS} ms`));
    return 'ok';
  } catch (error) {
    return (error as Error).message;
  }
}

export interface NodeRouteOptions {
  checks: HealthChecks;
  /** Bus partitions this node holds but does not move (a stalled consumer): /health answers 503 `stalled` naming them. */
  stalledPartitions?: () => number[];
  /** What only this role knows (the processor's counters, the generator's running test), added to /api/node/stats. */
  roleStats?: () => Record<string, unknown> | Promise<Record<string, unknown>>;
  /** Replaces the node's own registry on /metrics (the monitor exposes the whole cluster's series). */
  metrics?: { contentType: string; text(): Promise<string> };
}

export function registerNodeRoutes(app: FastifyInstance, node: NodeRuntime, options: NodeRouteOptions): void {
  const { checks, roleStats = () => ({}), stalledPartitions = () => [] } = options;
  const metrics = options.metrics ?? {
    contentType: node.telemetry.registry.contentType,
    text: () => node.telemetry.registry.metrics(),
  };
  app.get('/health', async (_request, reply) => {
    const results = Object.fromEntries(
      await Promise.all(Object.entries(checks).map(async ([name, probe]) => [name, await check(probe)] as const)),
    );
    const up = Object.values(results).every((r) => r === 'ok');
    const stalled = stalledPartitions();
    const status = !up ? 'down' : stalled.length > 0 ? 'stalled' : 'up';
    return reply.status(status === 'up' ? 200 : 503).send({
      status,
      node: node.id,
      role: node.role,
      checks: results,
      errors: swallowedErrors(),
      ...(stalled.length > 0 ? { stalledPartitions: stalled } : {}),
    });
  });

  app.get('/metrics', async (_request, reply) =>
    reply.header('content-type', metrics.contentType).send(await metrics.text()),
  );

  // Nothing between the two readings but the reply's construction: the exchange's delay is the network's.
  app.get(CLOCK_ROUTE, async (): Promise<NodeClockReading> => {
    const receivedAtMs = wallNowMs();
    return { receivedAtMs, sentAtMs: wallNowMs() };
  });

  app.get('/api/node/stats', async () => {
    const ownStats = await Promise.resolve(roleStats());
    return {
      id: node.id,
      role: node.role,
      pid: process.pid,
      startedAt: node.startedAt,
      uptimeSeconds: (Date.now() - node.startedAt) / 1000,
      events: {
        stage: node.primaryStage,
        total: node.telemetry.eventsTotal(node.primaryStage),
        perSecond: node.telemetry.eventsPerSecond(node.primaryStage),
      },
      cpuPerEvent: node.cpuPerEventUs(),
      ...node.readings(),
      runtime: runtimeStats(),
      /** Failures retried or skipped on purpose, per kind, with counts. */
      errors: swallowedErrors(),
      ...ownStats,
      latency: node.telemetry.latency(),
      waits: node.telemetry.waits.snapshot(),
    };
  });
}

/** V8 heap and libuv resources of this process (a soak watches these for growth). */
function runtimeStats() {
  const memory = process.memoryUsage();
  const resources = process.getActiveResourcesInfo();
  return {
    heapUsedBytes: memory.heapUsed,
    heapTotalBytes: memory.heapTotal,
    externalBytes: memory.external,
    arrayBuffersBytes: memory.arrayBuffers,
    /** Handles and requests keeping the loop alive (sockets, timers, file handles), by count. */
    activeResources: resources.length,
    activeResourcesByType: resources.reduce<Record<string, number>>(
      (counts, type) => ({ ...counts, [type]: (counts[type] ?? 0) + 1 }),
      {},
    ),
  };
}
