// Recommendations, each triggered by a measured condition and carrying the numbers that triggered it: the seed's
// tuning list (instances, partitions, batch sizes, pools, heap/GC, Redis memory policy, PostgreSQL) and capacity.
import { HEAP_ADVICE } from '@logperf/core';
import type { CapacityPlan } from './capacity.js';
import type { Diagnosis, Finding } from './diagnosis.js';
import { uslThroughput } from './usl.js';

export interface Recommendation {
  area: 'scaling' | 'kafka' | 'processor' | 'store' | 'memory' | 'gateway' | 'load generator' | 'redis' | 'postgresql';
  action: string;
  /** The measured condition that triggered it. */
  evidence: string;
  priority: number;
}

/** What the monitor sees of the backends right now (optional: the analyzer may run without a monitor). */
export interface BackendContext {
  partitions: number | null;
  processorNodes: number;
  redis: { memoryPercent: number | null; evictedKeys: number; maxMemoryBytes: number | null } | null;
  postgres: {
    connections: number;
    cacheHitRatio: number | null;
    /** Lock requests not granted when the monitor last sampled (pg_locks, pg_stat_activity). */
    waits?: { locksNotGranted: number; lockedRelations: string[]; longestLockWaitMs: number | null };
  } | null;
}

const pct = (share: number) => `${Math.round(share * 100)}%`;

function scaleOut(
  cpu: Finding,
  lag: Finding | undefined,
  plan: CapacityPlan | null,
  ctx: BackendContext,
): Recommendation {
  const current = Math.max(1, ctx.processorNodes);
  let add = 2;
  let gain = '';
  if (plan?.unit === 'nodes' && plan.size?.n) {
    add = Math.max(1, plan.size.n - current);
    gain = ` (USL predicts ${(uslThroughput(plan.fit, current + add) / uslThroughput(plan.fit, current)).toFixed(1)}× throughput)`;
  } else if (plan?.nodesEstimate) {
    add = Math.max(1, plan.nodesEstimate.nodes - current);
  }
  const lagText = lag ? `${lag.evidence} while ` : '';
  return {
    area: 'scaling',
    priority: 1,
    action: `add ${add} ${cpu.component} instance(s)${gain}`,
    evidence: `${lagText}${cpu.evidence}`,
  };
}

export function recommend(diagnosis: Diagnosis, plan: CapacityPlan | null, ctx: BackendContext): Recommendation[] {
  const out: Recommendation[] = [];
  const find = (rule: string, component?: string) =>
    diagnosis.findings.find((f) => f.rule === rule && (component === undefined || f.component === component));
  const cpu = find('cpu');
  const lag = find('consumer-lag');
  if (cpu) out.push(scaleOut(cpu, lag, plan, ctx));
  // Lag that follows another cause (a slow store, a node down) is fixed there: more consumers in front of a stalled
  // store only add writers waiting on it.
  const lagUnexplained = lag !== undefined && lag.because === null;
  if (lag && (cpu || lagUnexplained)) {
    const consumers = ctx.processorNodes;
    if (ctx.partitions !== null && consumers >= ctx.partitions) {
      out.push({
        area: 'kafka',
        priority: 1,
        action: `increase the topic's partitions above ${ctx.partitions} before adding consumers (a group cannot use more consumers than partitions)`,
        evidence: `${lag.evidence}; ${consumers} consumer node(s) on ${ctx.partitions} partition(s)`,
      });
    } else if (!cpu) {
      out.push({
        area: 'processor',
        priority: 2,
        action:
          'raise the processor batch size (fewer, larger store writes) or add processor instances up to the partition count',
        evidence: `${lag.evidence} without a saturated CPU: the consumers wait, not compute`,
      });
    }
  }
  const host = find('host-cpu');
  if (host)
    out.push({
      area: 'scaling',
      priority: 1,
      action:
        'give the load generator, Kafka and PostgreSQL machines of their own, or add cores: instances added on this host share the same saturated cores',
      evidence: host.evidence,
    });
  const store = find('store');
  if (store)
    out.push({
      area: 'store',
      priority: 1,
      action:
        'batch more rows per store write and size the PostgreSQL pool to the processor instances; check the events table for locks and unneeded indexes',
      evidence: store.evidence,
    });
  const gc = find('gc') ?? find('memory');
  if (gc)
    out.push({
      area: 'memory',
      priority: 2,
      action: HEAP_ADVICE,
      evidence: gc.evidence,
    });
  const loop = find('event-loop');
  if (loop)
    out.push({
      area: 'processor',
      priority: 2,
      action: `move synchronous work off the ${loop.component}'s event loop (smaller batches per tick) or add ${loop.component} instances`,
      evidence: loop.evidence,
    });
  const refusals = find('gateway-refusals');
  if (refusals)
    out.push({
      area: 'gateway',
      priority: 1,
      action: 'add gateway instances or raise the in-flight limit if the bus keeps up',
      evidence: refusals.evidence,
    });
  const generator = find('generator-saturated');
  if (generator)
    out.push({
      area: 'load generator',
      priority: 1,
      action:
        'give the load generator more in-flight requests or larger batches (or its own machine) before reading latency from this run',
      evidence: generator.evidence,
    });
  if (ctx.redis && (ctx.redis.evictedKeys > 0 || (ctx.redis.memoryPercent ?? 0) > 80)) {
    out.push({
      area: 'redis',
      priority: 2,
      action:
        'raise Redis maxmemory or set maxmemory-policy allkeys-lru so the cache evicts cold keys instead of failing writes',
      evidence: `Redis at ${ctx.redis.memoryPercent === null ? 'unknown' : pct(ctx.redis.memoryPercent / 100)} of maxmemory, ${ctx.redis.evictedKeys} key(s) evicted`,
    });
  }
  const waits = ctx.postgres?.waits;
  if (waits && waits.locksNotGranted > 0)
    out.push({
      area: 'postgresql',
      priority: 1,
      action: `find and end the transaction holding the lock on ${waits.lockedRelations.join(', ') || 'a row or transaction'} (pg_locks, pg_stat_activity); writers queue behind it`,
      evidence: `${waits.locksNotGranted} lock request(s) not granted${waits.longestLockWaitMs === null ? '' : `, the longest waiting ${waits.longestLockWaitMs} ms`}, when the monitor last sampled`,
    });
  if (ctx.postgres?.cacheHitRatio != null && ctx.postgres.cacheHitRatio < 0.95) {
    out.push({
      area: 'postgresql',
      priority: 3,
      action: "raise shared_buffers: reads miss PostgreSQL's buffer cache",
      evidence: `buffer cache hit ratio ${pct(ctx.postgres.cacheHitRatio)}`,
    });
  }
  if (plan?.size && !plan.size.reachable)
    out.push({
      area: 'scaling',
      priority: 1,
      action: 'reduce contention before scaling out: more of the same will not reach the target',
      evidence: plan.size.explanation,
    });
  if (diagnosis.knee?.leftFloorAtSecond != null && out.length === 0) {
    out.push({
      area: 'scaling',
      priority: 3,
      action: 'keep production traffic below the rate at which latency left its floor (plan at 70% of it)',
      evidence: diagnosis.summary,
    });
  }
  return out.sort((a, b) => a.priority - b.priority);
}
