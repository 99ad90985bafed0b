// Nodes the monitor was not told about announce themselves and are scraped; registration from elsewhere is refused.
import { createLogger, loadConfig, sleep } from '@logperf/core';
import { createBackends, startProcessor } from '@logperf/cluster';
import { expect, it } from 'vitest';
import { startMonitor } from '../src/start-monitor.js';

const logger = createLogger('heartbeat-test', 'silent');

it('a processor with LOGPERF_MONITOR_URL registers itself and is scraped', async () => {
  const monitor = await startMonitor({
    config: loadConfig({ LOGPERF_PGLITE_DIR: 'memory://' }, {}),
    logger,
    port: 0,
    nodeUrls: [],
    dashboardHtml: async () => '',
    scrapeIntervalMs: 250,
  });
  const config = loadConfig({ LOGPERF_MONITOR_URL: monitor.url, LOGPERF_PGLITE_DIR: 'memory://' }, {});
  const backends = await createBackends(config);
  const processor = await startProcessor({ config, backends, logger, port: 0 });
  try {
    const nodes = async () =>
      (
        (await (await fetch(`${monitor.url}/api/performance/metrics`)).json()) as {
          nodes: { url: string; role: string; up: boolean }[];
        }
      ).nodes;
    const deadline = Date.now() + 8000;
    while (!(await nodes()).some((n) => n.up) && Date.now() < deadline) await sleep(100);
    expect(await nodes()).toMatchObject([{ url: processor.url, role: 'processor', up: true }]);
    const foreign = await fetch(`${monitor.url}/api/performance/nodes`, {
      method: 'POST',
      body: JSON.stringify({ url: 'http://10.1.2.3:8091' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(foreign.status).toBe(400);
  } finally {
    await processor.close();
    await backends.close();
    await monitor.close();
  }
}, 60_000);
