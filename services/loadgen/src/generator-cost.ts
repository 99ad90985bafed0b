// The generator's own cost, summed over its threads: CPU µs per event sent and the busiest thread's loop use.
import type { GeneratorCost } from '@logperf/measurements';
import type { WorkerCost } from './work-order.js';

export type { GeneratorCost } from '@logperf/measurements';

export function generatorCost(costs: readonly (WorkerCost | null)[]): GeneratorCost | null {
  const known = costs.filter((c): c is WorkerCost => c !== null);
  if (known.length === 0) return null;
  const sent = known.reduce((sum, c) => sum + c.sent, 0);
  const cpuKnown = known.every((c) => c.cpuMs !== null);
  const cpuMs = cpuKnown ? known.reduce((sum, c) => sum + c.cpuMs!, 0) : null;
  return {
    cpuMicrosPerEvent: cpuMs === null || sent === 0 ? null : (cpuMs * 1000) / sent,
    cpuMs,
    sent,
    maxEventLoopUtilization: Math.max(...known.map((c) => c.eventLoopUtilization)),
    source: known[0]!.cpuSource,
    priorities: known.map((c) => c.priority),
  };
}
