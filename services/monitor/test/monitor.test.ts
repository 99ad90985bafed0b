// The monitor over a real embedded cluster: latency equals the processors' own histograms, induced faults are named.
import { randomUUID } from 'node:crypto';
import { createLogger, loadConfig, sleep } from '@logperf/core';
import { createBackends, startGateway, startProcessor, type Backends } from '@logperf/cluster';
import { type RunningRole } from '@logperf/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMonitor } from '../src/start-monitor.js';

const logger = createLogger('monitor-test', 'silent');
type Json = Record<string, unknown>;

describe('monitor on the embedded cluster', () => {
  const config = loadConfig({ LOGPERF_PGLITE_DIR: 'memory://' }, {});
  let backends: Backends;
  let processor: RunningRole;
  let gateway: RunningRole;
  let monitor: Awaited<ReturnType<typeof startMonitor>>;
  const get = async <T = Json>(path: string): Promise<T> => (await (await fetch(`${monitor.url}${path}`)).json()) as T;
  const send = async (n: number) => {
    const body = Array.from({ length: n }, (_, i) =>
      JSON.stringify({
        id: randomUUID(),
        level: 'INFO',
        message: `m${i}`,
        source: 'monitor-test',
        timestamp: Date.now(),
      }),
    ).join('\n');
    const res = await fetch(`${gateway.url}/api/logs`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/x-ndjson' },
    });
    expect(res.status).toBe(202);
  };
  const waitFor = async (what: string, check: () => Promise<boolean>, timeoutMs = 15_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(100);
    }
  };

  beforeAll(async () => {
    backends = await createBackends(config);
    processor = await startProcessor({ config, backends, logger, port: 0 });
    gateway = await startGateway({ config, backends, logger, port: 0 });
    monitor = await startMonitor({
      config,
      logger,
      port: 0,
      nodeUrls: [gateway.url, processor.url],
      bus: backends.bus,
      dashboardHtml: async () => '<!doctype html><title>dashboard</title>',
      scrapeIntervalMs: 250,
    });
  }, 60_000);

  afterAll(async () => {
    await monitor.close();
    await gateway.close();
    await processor.close();
    await backends.close();
  });

  it('reports the same end-to-end percentiles as the processor’s own histogram (within 1%)', async () => {
    for (let i = 0; i < 4; i++) await send(500);
    const own = async () =>
      (
        (await (await fetch(`${processor.url}/api/node/stats`)).json()) as {
          latency: Record<string, { summary: { count: number; p50: number; p99: number } }>;
        }
      ).latency['end-to-end']!.summary;
    await waitFor('2000 stored', async () => (await own()).count === 2000);
    type Latency = { components: Record<string, { count: number; p50: number; p99: number }> };
    await waitFor(
      'monitor to see 2000',
      async () =>
        (await get<Latency>('/api/performance/latency?windowSeconds=300')).components['end-to-end']?.count === 2000,
    );
    const seen = (await get<Latency>('/api/performance/latency?windowSeconds=300')).components['end-to-end']!;
    const truth = await own();
    expect(Math.abs(seen.p50 - truth.p50)).toBeLessThanOrEqual(truth.p50 * 0.01);
    expect(Math.abs(seen.p99 - truth.p99)).toBeLessThanOrEqual(truth.p99 * 0.01);
    const { nodes } = await get<{
      nodes: {
        up: boolean;
        cpuPercent: number | null;
        rssBytes: number | null;
        pid: number | null;
        networkRxBytesPerSecond: number | null;
      }[];
    }>('/api/performance/metrics');
    for (const n of nodes) {
      expect(n.up).toBe(true);
      expect(n.rssBytes).toBeGreaterThan(10_000_000);
      // Every node here runs in this test's process: the success criteria count it once by this pid.
      expect(n.pid).toBe(process.pid);
      expect(n.networkRxBytesPerSecond).toBeGreaterThanOrEqual(0);
      expect(n.cpuPercent).toBeGreaterThanOrEqual(0);
    }
  }, 30_000);

  it('measures every node’s clock against its own: nodes in this process read 0 within the bound', async () => {
    type Clock = { offsetMs: number | null; uncertaintyMs: number | null; reason: string | null };
    const clocks = async () =>
      (await get<{ nodes: { url: string; clock: Clock }[] }>('/api/performance/metrics')).nodes.map((n) => n.clock);
    await waitFor('clocks measured', async () => (await clocks()).every((c) => c.offsetMs !== null));
    for (const clock of await clocks()) {
      // Same process, same clock: the only error is the exchange's asymmetry, which the bound covers.
      expect(clock.reason).toBeNull();
      expect(clock.uncertaintyMs).toBeGreaterThan(0);
      expect(Math.abs(clock.offsetMs!)).toBeLessThanOrEqual(clock.uncertaintyMs!);
    }
    const text = await (await fetch(`${monitor.url}/metrics`)).text();
    expect(text).toMatch(/node_clock_offset_seconds\{node="processor-\d+",role="processor"\} -?[\d.e-]+/);
    expect(text).toMatch(/node_clock_offset_uncertainty_seconds\{node="gateway-\d+",role="gateway"\} [\d.e-]+/);
  });

  it('records samples of known values exactly and rejects bad ones with 400', async () => {
    expect(
      (await fetch(`${monitor.url}/api/performance/record?component=api-gateway-test&latencyMs=45`, { method: 'POST' }))
        .status,
    ).toBe(202);
    const batch = await fetch(`${monitor.url}/api/performance/record`, {
      method: 'POST',
      body: JSON.stringify([
        { component: 'api-gateway-test', latencyMs: 45 },
        { component: 'api-gateway-test', latencyMs: 45 },
      ]),
      headers: { 'content-type': 'application/json' },
    });
    expect(batch.status).toBe(202);
    const { components } = await get<{ components: Record<string, { count: number; p50: number; max: number }> }>(
      '/api/performance/latency',
    );
    expect(components['api-gateway-test']?.count).toBe(3);
    expect(Math.abs(components['api-gateway-test']!.p50 - 45)).toBeLessThanOrEqual(0.045);
    for (const bad of [
      'latencyMs=-1&component=x',
      'component=x',
      'latencyMs=abc&component=x',
      'latencyMs=5&component=%3Cscript%3E',
    ]) {
      const res = await fetch(`${monitor.url}/api/performance/record?${bad}`, { method: 'POST' });
      expect(res.status).toBe(400);
    }
  });

  it('exposes the seed’s Prometheus series with a node label', async () => {
    const text = await (await fetch(`${monitor.url}/metrics`)).text();
    expect(text).toMatch(new RegExp(`cluster_events_total\\{node="processor-${process.pid}",role="processor"\\} 2000`));
    expect(text).toMatch(/cluster_latency_bucket\{component="end-to-end",le="\+Inf"\} 2000/);
    expect(text).toMatch(/system_cpu_usage\{node="gateway-\d+",role="gateway"\} [\d.]+/);
    expect(text).toMatch(/system_memory_usage\{node="processor-\d+",role="processor"\} [\d.]+/);
    expect(text).toMatch(/cluster_queue_depth \d+/);
  });

  it('streams snapshots for the dashboard', async () => {
    const res = await fetch(`${monitor.url}/api/performance/stream`);
    const reader = res.body!.getReader();
    const chunk = (await reader.read()) as { value?: Uint8Array };
    await reader.cancel();
    const text = new TextDecoder().decode(chunk.value);
    const snapshot = JSON.parse(/data: (.*)\n/.exec(text)![1]!) as {
      nodes: { role: string; up: boolean }[];
      latency: Json;
    };
    expect(snapshot.nodes.map((n) => n.role).sort()).toEqual(['gateway', 'processor']);
    expect(snapshot.latency).toHaveProperty('end-to-end');
  });

  it('stores a baseline and reports from stored measurements, comparing with it (A/A: nothing significant)', async () => {
    type Latency = { components: Record<string, { count: number }> };
    const before =
      (await get<Latency>('/api/performance/latency?windowSeconds=300')).components['end-to-end']?.count ?? 0;
    await send(500);
    await waitFor(
      '500 more in the monitor',
      async () =>
        (await get<Latency>('/api/performance/latency?windowSeconds=300')).components['end-to-end']?.count ===
        before + 500,
    );
    const post = (body: unknown) =>
      fetch(`${monitor.url}/api/performance/baseline`, {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
      });
    // A baseline needs 3 stored seconds; right after start-up there may be fewer (422 says so).
    let created = await post({ name: 'aa', windowMinutes: 1 });
    for (let i = 0; i < 20 && created.status === 422; i++) {
      await sleep(500);
      created = await post({ name: 'aa', windowMinutes: 1 });
    }
    expect(created.status).toBe(201);
    expect(((await created.json()) as { seconds: number }).seconds).toBeGreaterThanOrEqual(3);
    await sleep(1100);
    type Report = {
      throughput: { totalEvents: number };
      latency: Record<string, { count: number }>;
      baseline: { name: string; comparisons: { metric: string; verdict: string }[] };
      capacity: { observedPeakPerSecond: number };
    };
    const report = await get<Report>('/api/performance/report?durationMinutes=1&baseline=aa');
    expect(report.latency['end-to-end']?.count).toBe(before + 500);
    expect(report.throughput.totalEvents).toBeGreaterThan(0);
    expect(report.capacity.observedPeakPerSecond).toBeGreaterThan(0);
    expect(report.baseline.name).toBe('aa');
    expect(report.baseline.comparisons.length).toBeGreaterThan(0);
    expect(report.baseline.comparisons.map((c) => c.verdict)).toEqual(
      report.baseline.comparisons.map(() => 'unchanged'),
    );
    for (const bad of ['0', '-5', '43201', 'abc', '1.5'])
      expect((await fetch(`${monitor.url}/api/performance/report?durationMinutes=${bad}`)).status).toBe(400);
    expect((await fetch(`${monitor.url}/api/performance/report?baseline=nope`)).status).toBe(404);
    expect((await post({ windowMinutes: 0 })).status).toBe(400);
  }, 30_000);

  it('names a stopped consumer group (queue depth > 1,000) and a node that stops answering (down within 3 s)', async () => {
    await processor.close();
    await send(800);
    await send(800);
    type Bottlenecks = { bottlenecks: { rule: string; value: number; evidence: string }[] };
    await waitFor('queue rule', async () =>
      (await get<Bottlenecks>('/api/performance/bottlenecks')).bottlenecks.some((b) => b.rule === 'queue'),
    );
    const queue = (await get<Bottlenecks>('/api/performance/bottlenecks')).bottlenecks.find((b) => b.rule === 'queue')!;
    expect(queue.value).toBe(1600);
    const stoppedAt = Date.now();
    await gateway.close();
    await waitFor(
      'gateway down',
      async () =>
        (await get<{ nodes: { role: string; up: boolean }[] }>('/api/performance/metrics')).nodes.find(
          (n) => n.role === 'gateway',
        )?.up === false,
      5000,
    );
    expect(Date.now() - stoppedAt).toBeLessThanOrEqual(3600);
    const verdicts = (await get<Bottlenecks>('/api/performance/bottlenecks')).bottlenecks.map((b) => b.rule);
    expect(verdicts).toContain('node-down');
  }, 30_000);
});
