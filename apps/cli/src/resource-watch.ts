// Reads the monitor's view of every node once a second while a test runs, for the success criteria: the CLI judges
// what the monitor measured (each node's /proc), never its own process.
import { z } from 'zod';
import type { ResourceSample } from './success-criteria.js';

const figure = z.number().nullable().catch(null);
const metricsSchema = z.object({
  atMs: z.number(),
  cluster: z.object({ eventsPerSecond: z.number() }),
  nodes: z.array(
    z.object({
      id: z.string(),
      role: z.string(),
      up: z.boolean(),
      cpuPercent: figure,
      systemCpuPercent: figure,
      memoryPercent: figure,
      rssBytes: figure,
      pid: z.number().int().positive().nullable().catch(null),
      url: z.string(),
    }),
  ),
});

export interface ResourceWatch {
  /** Stops polling; the samples taken, or why there are none. */
  stop(): { samples: ResourceSample[]; unmeasuredReason: string | null };
}

export function watchResources(monitorUrl: string | undefined, intervalMs = 1000): ResourceWatch {
  if (monitorUrl === undefined)
    return { stop: () => ({ samples: [], unmeasuredReason: 'no monitor to read resources from' }) };
  const samples: ResourceSample[] = [];
  let lastError: string | null = null;
  const poll = () =>
    void fetch(`${monitorUrl}/api/performance/metrics`, { signal: AbortSignal.timeout(intervalMs * 2) })
      .then(async (res) => {
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        const body = metricsSchema.parse(await res.json());
        samples.push({ atMs: body.atMs, eventsPerSecond: body.cluster.eventsPerSecond, nodes: body.nodes });
      })
      .catch((error: unknown) => (lastError = error instanceof Error ? error.message : String(error)));
  poll();
  const timer = setInterval(poll, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return {
        samples: [...samples],
        unmeasuredReason:
          samples.length > 0 ? null : `the monitor at ${monitorUrl} gave no sample (${lastError ?? 'none yet'})`,
      };
    },
  };
}
