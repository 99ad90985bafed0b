// Figures that cannot be measured say so: a monitor alone on the in-memory bus reports lag and queue depth as null with
// a reason (absent on /metrics, null in history); a `kafka` target on an in-process bus is refused; end-to-end is
// unknown, with the missing count, when not every acknowledged event was stored; a run with LOGPERF_API_TOKEN set
// stores every event; a test that had errors fails without any threshold in the request.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { createLogger, LatencyHistogram, loadConfig, sleep } from '@logperf/core';
import { createBackends, type Backends } from '@logperf/cluster';
import { type RunningRole } from '@logperf/platform';
import { endToEndSince, snapshotProcessors, startLoadgen } from '@logperf/loadgen';
import { historyRow, startMonitor } from '@logperf/monitor';
import { describe, expect, it } from 'vitest';
import { runLoadTest, type LoadTestResult } from '../../src/load-test-client.js';
import { startRoles } from '../../src/roles.js';

const logger = createLogger('orphans', 'silent');
const TOKEN = `tok-${randomUUID()}`;
const burst = (extra: Record<string, unknown> = {}) => ({
  testName: 'orphans',
  baselineRatePerSecond: 200,
  burstRatePerSecond: 400,
  baselineDuration: 'PT0.5S',
  burstDuration: 'PT0.5S',
  recoveryDuration: 'PT0.5S',
  batchSize: 20,
  ...extra,
});
const post = async (url: string, body: unknown, token?: string) => {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
};

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('orphan figures', () => {
  it('a monitor alone on the in-memory bus reports lag and queue depth as null with a reason, never 0', async () => {
    const monitor = await startMonitor({
      config: loadConfig({}, {}),
      logger,
      port: 0,
      nodeUrls: [],
      dashboardHtml: async () => '',
      scrapeIntervalMs: 200,
    });
    try {
      await sleep(600);
      const { cluster } = (await (await fetch(`${monitor.url}/api/performance/metrics`)).json()) as {
        cluster: Record<string, unknown>;
      };
      expect(cluster).toMatchObject({ consumerLag: null, queueDepth: null });
      expect(cluster.lagReason).toMatch(/in-memory bus .*logperf up/);
      const metrics = await (await fetch(`${monitor.url}/metrics`)).text();
      expect(metrics).not.toMatch(/^cluster_queue_depth /m);
      expect(metrics).not.toMatch(/^cluster_consumer_lag_seconds /m);
      expect(historyRow(monitor.state, Date.now()).queueDepth).toBeNull();
    } finally {
      await monitor.close();
    }
  }, 60_000);

  it("refuses target 'kafka' unless allowed, and refuses it on an in-memory bus (the generator thread cannot reach it)", async () => {
    const backends: Backends = await createBackends(loadConfig({}, {}));
    const roles: RunningRole[] = [];
    try {
      for (const env of [{}, { LOGPERF_LOADGEN_ALLOW_KAFKA: 'true' }]) {
        const loadgen = await startLoadgen({
          config: loadConfig(env, {}),
          logger,
          port: 0,
          sql: backends.store.sql(),
          processorUrls: [],
        });
        roles.push(loadgen);
        const refused = await post(`${loadgen.url}/api/loadtest/burst`, burst({ target: 'kafka' }));
        expect(refused.status).toBe(400);
        expect(refused.text).toMatch(
          'LOGPERF_LOADGEN_ALLOW_KAFKA' in env ? /needs a Kafka bus/ : /LOGPERF_LOADGEN_ALLOW_KAFKA=true/,
        );
      }
    } finally {
      for (const role of roles) await role.close();
      await backends.close();
    }
  }, 60_000);

  it("refuses target 'kafka' in `logperf up` on the in-process bus even when allowed: the generator never shares the cluster's thread", async () => {
    const config = loadConfig({ LOGPERF_LOADGEN_ALLOW_KAFKA: 'true' }, {});
    const started = await startRoles(['processor', 'gateway', 'loadgen'], config, logger, { instances: 1, ports: {} });
    try {
      const refused = await post(`${started.urlOf('loadgen')!}/api/loadtest/burst`, burst({ target: 'kafka' }));
      expect(refused.status).toBe(400);
      expect(refused.text).toMatch(/needs a Kafka bus/);
    } finally {
      await started.close();
    }
  }, 60_000);

  it('end-to-end is unknown, with the missing count, when fewer events were stored than acknowledged', async () => {
    let total = 0;
    const processor = await listen((_req, res) =>
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ id: 'p', role: 'processor', events: { total } })),
    );
    try {
      const before = await snapshotProcessors([processor.url]);
      total = 7; // 7 of 10 arrive
      const result = await endToEndSince(before, [processor.url], 10, 300);
      expect(result).toMatchObject({ available: false, stored: 7, missing: 3 });
      expect(await endToEndSince(before, [processor.url], 0, 300)).toMatchObject({ available: false });
    } finally {
      processor.server.close();
    }
  });

  it("end-to-end of a test covers its own events only: another test's traffic in the same window is left out", async () => {
    const mine = randomUUID();
    const ownHistogram = LatencyHistogram.create();
    for (let i = 0; i < 10; i++) ownHistogram.recordMs(20);
    const allHistogram = LatencyHistogram.create();
    for (let i = 0; i < 10; i++) allHistogram.recordMs(20);
    for (let i = 0; i < 90; i++) allHistogram.recordMs(5_000); // another test's slow events, stored meanwhile
    let stats: object = { id: 'p', role: 'processor', events: { total: 0 } };
    const processor = await listen((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(stats)),
    );
    try {
      const before = await snapshotProcessors([processor.url], mine);
      stats = {
        id: 'p',
        role: 'processor',
        events: { total: 100 },
        latency: { 'end-to-end': { histogram: allHistogram.encode() } },
        tests: {
          [mine]: { stored: 10, endToEnd: { histogram: ownHistogram.encode() } },
          other: { stored: 90, endToEnd: { histogram: LatencyHistogram.create().encode() } },
        },
      };
      const own = await endToEndSince(before, [processor.url], 10, 300, mine);
      expect(own).toMatchObject({ available: true, attribution: 'test', stored: 10 });
      expect(own.available && own.latencyMs.max).toBeLessThan(25);
      const window = await endToEndSince(before, [processor.url], 10, 300);
      expect(window).toMatchObject({ available: true, attribution: 'window', stored: 100 });
      expect(window.available && window.latencyMs.p50).toBeGreaterThan(4_000);
    } finally {
      processor.server.close();
    }
  });

  it('with LOGPERF_API_TOKEN set, a run through the gateway stores every event', async () => {
    const config = loadConfig({ LOGPERF_API_TOKEN: TOKEN }, {});
    const started = await startRoles(['processor', 'gateway', 'loadgen'], config, logger, { instances: 1, ports: {} });
    try {
      const { result } = await runLoadTest(started.urlOf('loadgen')!, 'burst', burst(), {
        token: TOKEN,
        onProgress: () => undefined,
      });
      expect(result).toMatchObject({ intended: 400, acknowledged: 400, errors: {}, passed: true });
      // Through the gateway with the test id on every request: the processor counted exactly this test's events.
      expect(result.endToEnd).toMatchObject({ available: true, attribution: 'test', stored: 400 });
    } finally {
      await started.close();
    }
  }, 60_000);

  it('a test that had errors fails when the request set no thresholds', async () => {
    const failing = await listen((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(503, { 'retry-after': '1' }).end());
    });
    const backends = await createBackends(loadConfig({}, {}));
    const loadgen = await startLoadgen({
      config: loadConfig({}, {}),
      logger,
      port: 0,
      sql: backends.store.sql(),
      allowedTargets: [failing.url],
      processorUrls: [],
    });
    try {
      const { result }: LoadTestResult = await runLoadTest(loadgen.url, 'burst', burst(), {
        onProgress: () => undefined,
      });
      expect(result.errors).toMatchObject({ http_503: 400 });
      expect(result.passed).toBe(false);
      expect(result.thresholds.find((t) => t.name === 'errorRate')).toMatchObject({ passed: false, actual: 1 });
    } finally {
      await loadgen.close();
      await backends.close();
      failing.server.close();
    }
  }, 60_000);
});
