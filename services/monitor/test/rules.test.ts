import { LatencyHistogram } from '@logperf/core';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_THRESHOLDS,
  detectBottlenecks,
  thresholdsFrom,
  type BottleneckInput,
  type NodeSample,
} from '@logperf/measurements';
import { lagStatus, type LagSample } from '../src/lag-watcher.js';
import { LatencyWindows } from '../src/latency-windows.js';

const samples = (n: number, values: Partial<NodeSample>): NodeSample[] =>
  Array.from({ length: n }, (_, i) => ({
    atMs: i * 1000,
    cpuPercent: 20,
    systemCpuPercent: 30,
    memoryPercent: 40,
    ioUtilPercent: 5,
    networkRxBytesPerSecond: 1000,
    networkTxBytesPerSecond: 1000,
    eventLoopLagP99Ms: 12,
    gcPauseMs: 3,
    eventsPerSecond: 1000,
    ...values,
  }));

const input = (overrides: Partial<BottleneckInput> = {}): BottleneckInput => ({
  windowSeconds: 30,
  nodes: [
    { id: 'processor-1', role: 'processor', up: true, samples: samples(10, {}) },
    { id: 'gateway-1', role: 'gateway', up: true, samples: samples(10, {}) },
  ],
  throughputPerSecond: 5000,
  targetRatePerSecond: 5000,
  queueDepth: 10,
  lagStatus: { status: 'OK', reason: 'no lag' },
  thresholds: DEFAULT_THRESHOLDS,
  ...overrides,
});

describe('bottleneck rules', () => {
  it('stay silent on a healthy cluster', () => {
    expect(detectBottlenecks(input())).toEqual([]);
  });

  it("host CPU past 85% of all cores is named although no node's own process is busy", () => {
    const node = (id: string, systemCpuPercent: number) => ({
      id,
      role: 'processor',
      up: true,
      samples: samples(10, { cpuPercent: 15, systemCpuPercent }),
    });
    const verdicts = detectBottlenecks(input({ nodes: [node('p1', 97), node('p2', 96)] }));
    expect(verdicts).toMatchObject([
      {
        rule: 'host-cpu',
        component: 'host',
        value: 97,
        threshold: 85,
        severity: 'critical',
        affectedNodes: ['p1', 'p2'],
      },
    ]);
    expect(verdicts[0]?.evidence).toContain("the nodes' own processes use p1 15%, p2 15% of one core");
    expect(detectBottlenecks(input({ nodes: [node('p1', 85)] }))).toEqual([]);
  });

  it('network past 80% of a known link speed is an I/O bottleneck; loopback and unknown speeds never are', () => {
    const network = (bytesPerSecond: number, linkBytesPerSecond: number | null, iface = 'eth0') =>
      Array.from({ length: 5 }, (_, i) => ({
        atMs: i * 1000,
        links: [
          { iface, bytesPerSecond, linkBytesPerSecond, linkUnknownReason: linkBytesPerSecond ? null : 'unknown' },
        ],
      }));
    const gigabit = 125_000_000;
    expect(detectBottlenecks(input({ network: network(0.9 * gigabit, gigabit) }))).toMatchObject([
      {
        rule: 'io',
        resource: 'network',
        value: 90,
        threshold: 80,
        evidence: 'eth0 carries 112.5 MB/s, 90% of its link over 30 s',
      },
    ]);
    expect(detectBottlenecks(input({ network: network(0.5 * gigabit, gigabit) }))).toEqual([]);
    expect(detectBottlenecks(input({ network: network(10 * gigabit, null, 'lo') }))).toEqual([]);
  });

  it('CPU > 75% fires only while throughput is below 80% of the target', () => {
    const hot = [{ id: 'processor-1', role: 'processor', up: true, samples: samples(10, { cpuPercent: 92 }) }];
    const slow = detectBottlenecks(input({ nodes: hot, throughputPerSecond: 3000, targetRatePerSecond: 5000 }));
    expect(slow).toMatchObject([
      { rule: 'cpu', severity: 'critical', value: 92, threshold: 75, affectedNodes: ['processor-1'] },
    ]);
    expect(slow[0]?.recommendation).toMatch(/add 2–4 nodes/);
    expect(detectBottlenecks(input({ nodes: hot, throughputPerSecond: 4500, targetRatePerSecond: 5000 }))).toEqual([]);
  });

  it("the memory rule names the node's own resident memory and its embedded store, and where the store lives", () => {
    const MB = 1024 * 1024;
    const memory = (storeInMemory: boolean) =>
      detectBottlenecks(
        input({
          nodes: [
            {
              id: 'processor-1',
              role: 'processor',
              up: true,
              samples: samples(10, { memoryPercent: 85, rssBytes: 900 * MB, storeBytes: 300 * MB, storeInMemory }),
            },
          ],
        }),
      )[0]?.evidence;
    expect(memory(false)).toMatch(/\(the node's process: rss 900 MB, embedded store 300 MB on disk\)$/);
    expect(memory(true)).toMatch(/embedded store 300 MB in memory\)$/);
  });

  it('memory > 80%, queue depth > 1000, I/O > 80%, event-loop lag and GC each name their evidence', () => {
    const rules = (nodeValues: Partial<NodeSample>, extra: Partial<BottleneckInput> = {}) =>
      detectBottlenecks(
        input({ nodes: [{ id: 'p', role: 'processor', up: true, samples: samples(10, nodeValues) }], ...extra }),
      ).map((v) => v.rule);
    expect(rules({ memoryPercent: 85 })).toEqual(['memory']);
    expect(rules({}, { queueDepth: 1500 })).toEqual(['queue']);
    expect(rules({ ioUtilPercent: 90 })).toEqual(['io']);
    expect(rules({ eventLoopLagP99Ms: 250 })).toEqual(['event-loop']);
    expect(rules({ gcPauseMs: 120 })).toEqual(['gc']);
    expect(rules({}, { lagStatus: { status: 'WARN', reason: 'lag grew' } })).toEqual(['consumer-lag']);
  });

  it('a single spike is not a bottleneck (fewer than 3 samples)', () => {
    expect(
      detectBottlenecks(
        input({ nodes: [{ id: 'p', role: 'processor', up: true, samples: samples(2, { memoryPercent: 99 }) }] }),
      ),
    ).toEqual([]);
  });

  it('a node that is down is reported, not averaged away', () => {
    const verdicts = detectBottlenecks(
      input({ nodes: [{ id: 'p', role: 'processor', up: false, samples: samples(10, { cpuPercent: 99 }) }] }),
    );
    expect(verdicts).toMatchObject([{ rule: 'node-down', severity: 'critical', affectedNodes: ['p'] }]);
  });

  it('a member that is up but holds stalled partitions is named, with them', () => {
    const node = { id: 'p', role: 'processor', up: true, samples: samples(1, {}) };
    expect(detectBottlenecks(input({ nodes: [{ ...node, stalledPartitions: [] }] }))).toEqual([]);
    const verdicts = detectBottlenecks(input({ nodes: [{ ...node, stalledPartitions: [1, 4] }] }));
    expect(verdicts).toMatchObject([{ rule: 'member-stalled', severity: 'critical', value: 2, affectedNodes: ['p'] }]);
    expect(verdicts[0]?.evidence).toMatch(/partitions 1, 4/);
  });
});

describe('configurable thresholds', () => {
  it('override the defaults from JSON and reject nonsense clearly', () => {
    expect(thresholdsFrom(undefined)).toEqual(DEFAULT_THRESHOLDS);
    expect(thresholdsFrom('{"cpuPercent":60}')).toEqual({ ...DEFAULT_THRESHOLDS, cpuPercent: 60 });
    expect(() => thresholdsFrom('{cpu')).toThrow(/not valid JSON/);
    expect(() => thresholdsFrom('{"memoryPercent":120}')).toThrow(/memoryPercent/);
    expect(() => thresholdsFrom('{"diskPercent":50}')).toThrow(/LOGPERF_MONITOR_THRESHOLDS/);
  });
});

describe('Burrow-style lag status', () => {
  const lag = (atMs: number, committed: number, end: number): LagSample => ({
    atMs,
    total: end - committed,
    partitions: [{ partition: 0, committedOffset: committed, endOffset: end, lag: end - committed }],
  });
  it('OK when caught up or shrinking, WARN when growing, STALL then STOP when commits stop', () => {
    expect(lagStatus([lag(0, 10, 10)]).status).toBe('OK');
    expect(lagStatus([lag(0, 0, 100), lag(1000, 80, 120), lag(2000, 150, 160)]).status).toBe('OK');
    expect(lagStatus([lag(0, 0, 100), lag(1000, 50, 200), lag(2000, 100, 300)]).status).toBe('WARN');
    const stalled = Array.from({ length: 12 }, (_, i) => lag(i * 1000, 500, 600 + i * 100));
    expect(lagStatus(stalled).status).toBe('STALL');
    const stopped = Array.from({ length: 62 }, (_, i) => lag(i * 1000, 500, 900));
    expect(lagStatus(stopped).status).toBe('STOP');
  });
});

describe('latency windows', () => {
  it('returns recorded known values exactly (HDR precision) and forgets what left the window', () => {
    const windows = new LatencyWindows();
    const now = 1_000_000;
    for (const ms of [10, 20, 30, 40, 1000]) windows.recordMs('api-gateway', ms, now - 5_000);
    windows.recordMs('api-gateway', 5, now - 120_000);
    const recent = windows.merged('api-gateway', 60, now).summary();
    expect(recent.count).toBe(5);
    expect(Math.abs(recent.p50 - 30)).toBeLessThanOrEqual(0.03);
    expect(Math.abs(recent.max - 1000)).toBeLessThanOrEqual(1);
    expect(windows.merged('api-gateway', 300, now).count).toBe(6);
    expect(windows.merged('api-gateway', 3600, now).count).toBe(6);
  });

  it('merges histograms from several nodes into one distribution', () => {
    const windows = new LatencyWindows();
    const a = LatencyHistogram.create();
    const b = LatencyHistogram.create();
    a.recordMs(1, 99);
    b.recordMs(100, 1);
    windows.add('store', a, 5000);
    windows.add('store', b, 5000);
    const merged = windows.merged('store', 60, 5500);
    expect(merged.count).toBe(100);
    expect(merged.percentileMs(99)).toBeLessThan(1.01);
    expect(merged.summary().max).toBeGreaterThan(99.9);
  });
});
