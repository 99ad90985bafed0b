// 10,000 distinct component names posted to the monitor: the first 64 user-named ones are kept, every later one is a 422
// naming the limit, the process grows by less than 50 MiB, and the monitor keeps answering.
import { createLogger, loadConfig } from '@logperf/core';
import { MAX_USER_COMPONENTS, startMonitor } from '@logperf/monitor';
import { Agent, request } from 'undici';
import { describe, expect, it } from 'vitest';

const NAMES = 10_000;
const CONCURRENCY = 16;
const MiB = 1024 * 1024;

describe('component flood', () => {
  it(`keeps ${MAX_USER_COMPONENTS} of ${NAMES} distinct names, grows < 50 MiB and keeps answering`, async () => {
    const monitor = await startMonitor({
      config: loadConfig({}, {}),
      logger: createLogger('flood', 'silent'),
      port: 0,
      nodeUrls: [],
      dashboardHtml: async () => '',
    });
    const dispatcher = new Agent({ connections: CONCURRENCY });
    try {
      const statuses: Record<number, number> = {};
      let next = 0;
      const post = (upTo: number) =>
        Promise.all(
          Array.from({ length: CONCURRENCY }, async () => {
            while (next < upTo) {
              const i = next++;
              const res = await request(
                `${monitor.url}/api/performance/record?component=flood-${i}&latencyMs=${1 + (i % 100)}`,
                { method: 'POST', dispatcher },
              );
              await res.body.dump();
              statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
            }
          }),
        );
      // The baseline is taken once the embedded store has settled and the first 64 names hold their windows.
      await post(500);
      const rssBefore = process.memoryUsage().rss;
      await post(NAMES);
      const grownMiB = (process.memoryUsage().rss - rssBefore) / MiB;
      console.log(`component flood: RSS grew ${grownMiB.toFixed(1)} MiB over ${NAMES} names`);
      expect(statuses).toEqual({ 202: MAX_USER_COMPONENTS, 422: NAMES - MAX_USER_COMPONENTS });
      expect(grownMiB).toBeLessThan(50);
      const latency = await request(`${monitor.url}/api/performance/latency`, { dispatcher });
      expect(latency.statusCode).toBe(200);
      const { components } = (await latency.body.json()) as { components: Record<string, unknown> };
      expect(Object.keys(components)).toHaveLength(MAX_USER_COMPONENTS);
      expect((await request(`${monitor.url}/health`, { dispatcher })).statusCode).toBe(200);
    } finally {
      await dispatcher.close();
      await monitor.close();
    }
  }, 120_000);
});
