// Routes every node serves: GET /health (its backends), GET /metrics (Prometheus), GET /api/node/stats (JSON).
import { withTimeout } from '@logperf/core';
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

/** `roleStats` adds what only this role knows (the processor's stored/redelivered/poison counters) to /api/node/stats. */
export function registerNodeRoutes(app: FastifyInstance, node: NodeRuntime, checks: HealthChecks, roleStats: () => Record<string, unknown> = () => ({})): void {
  app.get('/health', async (_request, reply) => {
    const results = Object.fromEntries(await Promise.all(Object.entries(checks).map(async ([name, probe]) => [name, await check(probe)] as const)));
    const up = Object.values(results).every((r) => r === 'ok');
    return reply.status(up ? 200 : 503).send({ status: up ? 'up' : 'down', node: node.id, role: node.role, checks: results });
  });

  app.get('/metrics', async (_request, reply) =>
    reply.header('content-type', node.telemetry.registry.contentType).send(await node.telemetry.registry.metrics()),
  );

  app.get('/api/node/stats', async () => {
    await Promise.resolve();
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
      ...node.readings(),
      ...roleStats(),
      latency: node.telemetry.latency(),
    };
  });
}
