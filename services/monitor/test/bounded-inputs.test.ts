// Requests cannot grow the monitor without bound: user-named components, report windows, free text, node registrations
// (origin only, capped, expiring, redirects not followed) and live streams all have limits, each refused with a clear 4xx.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger, loadConfig, sleep } from '@logperf/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LatencyWindows, MAX_USER_COMPONENTS, PIPELINE_COMPONENTS } from '../src/latency-windows.js';
import { MAX_REGISTERED_NODES, NodeScraper, REGISTRATION_TTL_MS } from '../src/node-scraper.js';
import { startMonitor } from '../src/start-monitor.js';

const logger = createLogger('bounded-inputs', 'silent');

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('monitor input bounds', () => {
  let monitor: Awaited<ReturnType<typeof startMonitor>>;
  const post = (path: string, body?: unknown) =>
    fetch(`${monitor.url}${path}`, {
      method: 'POST',
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });

  beforeAll(async () => {
    monitor = await startMonitor({
      config: loadConfig({ LOGPERF_MONITOR_REPORT_MAX_MINUTES: '120' }, {}),
      logger,
      port: 0,
      nodeUrls: [],
      dashboardHtml: async () => '',
      scrapeIntervalMs: 200,
    });
  }, 60_000);
  afterAll(() => monitor.close());

  it(`accepts the pipeline's components and ${MAX_USER_COMPONENTS} user-named ones; the next is a 422 naming the limit`, async () => {
    const pipeline = PIPELINE_COMPONENTS.map((component) => ({ component, latencyMs: 1 }));
    const users = Array.from({ length: MAX_USER_COMPONENTS }, (_, i) => ({ component: `user-${i}`, latencyMs: 2 }));
    expect((await post('/api/performance/record', [...pipeline, ...users])).status).toBe(202);
    const refused = await post('/api/performance/record', { component: 'one-more', latencyMs: 3 });
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain(
      `at most ${MAX_USER_COMPONENTS} components`,
    );
    // Known names still record; nothing of the refused request was kept.
    expect((await post('/api/performance/record?component=user-0&latencyMs=4')).status).toBe(202);
    expect((await post('/api/performance/record?component=store&latencyMs=4')).status).toBe(202);
    const latency = (await (await fetch(`${monitor.url}/api/performance/latency`)).json()) as {
      components: Record<string, { count: number }>;
    };
    expect(Object.keys(latency.components)).toHaveLength(PIPELINE_COMPONENTS.length + MAX_USER_COMPONENTS);
    expect(latency.components['one-more']).toBeUndefined();
    expect(latency.components['user-0']?.count).toBe(2);
  });

  it('serves reports up to the configured window and refuses a longer one, naming the setting', async () => {
    expect((await fetch(`${monitor.url}/api/performance/report?durationMinutes=120`)).status).toBe(200);
    const long = await fetch(`${monitor.url}/api/performance/report?durationMinutes=121`);
    expect(long.status).toBe(400);
    expect(await long.text()).toContain('LOGPERF_MONITOR_REPORT_MAX_MINUTES');
    expect(loadConfig({}, {}).monitorReportMaxMinutes).toBe(1440);
  });

  it('refuses NUL and lone surrogates in baseline names with 400 naming the field', async () => {
    for (const name of ['a\u0000b', 'x\ud800']) {
      const answer = await post('/api/performance/baseline', { name });
      expect(answer.status).toBe(400);
      expect(await answer.text()).toContain('name');
    }
    const report = await fetch(`${monitor.url}/api/performance/report?baseline=%00`);
    expect(report.status).toBe(400);
    expect(await report.text()).toContain('baseline');
  });

  it('keeps only the origin of a registration and never follows a redirect from a registered node', async () => {
    let elsewhere = 0;
    const target = await listen((_req, res) => {
      elsewhere++;
      res.end('{}');
    });
    const redirecting = await listen((_req, res) => {
      res.writeHead(302, { location: `${target.url}/api/node/stats` }).end();
    });
    try {
      const answer = await post('/api/performance/nodes', { url: `${redirecting.url}/some/path?q=1` });
      expect(answer.status).toBe(202);
      expect(await answer.json()).toEqual({ registered: redirecting.url });
      await sleep(1000);
      const node = monitor.state.scraper.views().find((n) => n.url === redirecting.url);
      expect(node?.lastError).toMatch(/redirect, not followed/);
      expect(node?.up).toBe(false);
      expect(elsewhere).toBe(0);
    } finally {
      target.server.close();
      redirecting.server.close();
    }
  });

  it('caps live streams; a stream past the cap gets 429 and a closed one frees its place', async () => {
    const controllers = Array.from({ length: 32 }, () => new AbortController());
    const open = await Promise.all(
      controllers.map((c) => fetch(`${monitor.url}/api/performance/stream`, { signal: c.signal })),
    );
    expect(open.every((r) => r.status === 200)).toBe(true);
    expect((await fetch(`${monitor.url}/api/performance/stream`)).status).toBe(429);
    for (const c of controllers) c.abort();
    await sleep(200);
    const again = new AbortController();
    expect((await fetch(`${monitor.url}/api/performance/stream`, { signal: again.signal })).status).toBe(200);
    again.abort();
  });
});

describe('node registrations', () => {
  it(`holds at most ${MAX_REGISTERED_NODES}, refreshes on each heartbeat and forgets a silent node after ${REGISTRATION_TTL_MS / 1000} s`, () => {
    const scraper = new NodeScraper(new LatencyWindows(), { intervalMs: 1000, downAfterMs: 3000 });
    scraper.addNode('http://127.0.0.1:1'); // configured: never expires
    for (let i = 0; i < MAX_REGISTERED_NODES; i++) scraper.register(`http://127.0.0.1:${10_000 + i}`, 0);
    expect(() => scraper.register('http://127.0.0.1:20000', 0)).toThrow(/at most 64 registered nodes/);
    scraper.register('http://127.0.0.1:10000', REGISTRATION_TTL_MS); // a heartbeat
    scraper.register('http://127.0.0.1:20000', REGISTRATION_TTL_MS + 1); // the others expired: room again
    expect(scraper.views().map((v) => v.url)).toEqual([
      'http://127.0.0.1:1',
      'http://127.0.0.1:10000',
      'http://127.0.0.1:20000',
    ]);
  });

  it('records a sample into its window without a histogram per sample, and ignores components past the limit', () => {
    const windows = new LatencyWindows(2);
    windows.recordMs('a', 5, 1000);
    windows.recordMs('b', 6, 1000);
    windows.recordMs('c', 7, 1000);
    windows.recordMs('store', 8, 1000);
    expect(windows.names()).toEqual(['a', 'b', 'store']);
    expect(windows.merged('a', 5, 1500).count).toBe(1);
    expect(() => windows.admit(['a', 'c'])).toThrow(/at most 2 components/);
    expect(() => windows.admit(['a', 'end-to-end'])).not.toThrow();
  });
});

describe('failures that are retried', () => {
  it('a store write the memory bus retries shows, counted, on /health and /api/node/stats', async () => {
    const { createBus } = await import('@logperf/cluster');
    const bus = await createBus(loadConfig({}, {}));
    let calls = 0;
    const consumer = await bus.consume({ groupId: 'g', maxBatchSize: 10, maxWaitMs: 1 }, async () => {
      calls++;
      if (calls <= 2) throw new Error('store write failed (test)');
      await Promise.resolve();
    });
    await bus.produce([{ key: 'k', value: Buffer.from('{}') }]);
    const deadline = Date.now() + 5000;
    while (calls < 3 && Date.now() < deadline) await sleep(20);
    await consumer.close();
    await bus.close();
    const monitor = await startMonitor({
      config: loadConfig({}, {}),
      logger,
      port: 0,
      nodeUrls: [],
      dashboardHtml: async () => '',
    });
    try {
      for (const path of ['/health', '/api/node/stats']) {
        const body = (await (await fetch(`${monitor.url}${path}`)).json()) as {
          errors: Record<string, { count: number; lastMessage: string }>;
        };
        expect(body.errors['memory-bus.handler']?.count).toBeGreaterThanOrEqual(2);
        expect(body.errors['memory-bus.handler']?.lastMessage).toBe('store write failed (test)');
      }
    } finally {
      await monitor.close();
    }
  }, 60_000);
});
