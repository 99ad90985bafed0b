// What the monitor sees of the backends now (partitions, processors, Redis, PostgreSQL), for recommendations; without
// a monitor, the processor count comes from the monitor's last stored second and the rest is unknown.
import type { HistoryStore } from '@logperf/measurements';
import { z } from 'zod';
import type { BackendContext } from './recommendations.js';

const metricsAnswer = z.object({
  nodes: z.array(z.object({ role: z.string().nullish(), up: z.boolean().optional() })).default([]),
  cluster: z.object({
    lag: z.object({ partitions: z.array(z.unknown()) }).nullish(),
    redis: z
      .object({ memoryPercent: z.number().nullable(), evictedKeys: z.number(), maxMemoryBytes: z.number().nullable() })
      .nullish(),
    postgres: z
      .object({
        connections: z.number(),
        cacheHitRatio: z.number().nullable(),
        waits: z
          .object({
            locksNotGranted: z.number(),
            lockedRelations: z.array(z.string()),
            longestLockWaitMs: z.number().nullable(),
          })
          .optional(),
      })
      .nullish(),
  }),
});

async function fromHistory(history: HistoryStore): Promise<BackendContext> {
  const now = Date.now();
  const last = (await history.range(now - 60_000, now)).at(-1);
  const processorNodes = last?.nodes.filter((n) => n.role === 'processor' && n.up).length ?? 0;
  return { partitions: null, processorNodes, redis: null, postgres: null };
}

export async function monitorContext(
  monitorUrl: string | undefined,
  history: HistoryStore,
  apiToken: string | undefined,
): Promise<BackendContext> {
  if (!monitorUrl) return fromHistory(history);
  try {
    const res = await fetch(`${monitorUrl.replace(/\/+$/, '')}/api/performance/metrics`, {
      headers: apiToken ? { authorization: `Bearer ${apiToken}` } : {},
      signal: AbortSignal.timeout(2000),
    });
    if (!res.ok) return await fromHistory(history);
    const answer = metricsAnswer.parse(await res.json());
    return {
      partitions: answer.cluster.lag?.partitions.length ?? null,
      processorNodes: answer.nodes.filter((n) => n.role === 'processor' && n.up !== false).length,
      redis: answer.cluster.redis ?? null,
      postgres: answer.cluster.postgres ?? null,
    };
  } catch {
    return fromHistory(history);
  }
}
