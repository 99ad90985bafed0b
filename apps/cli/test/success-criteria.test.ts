// The seed's success criteria from fixed inputs: availability, host CPU and memory peaks with each node beside them,
// proportional scaling across a ramp's steps, and null with a reason for every figure that was not measured.
import { describe, expect, it } from 'vitest';
import { summary } from '../src/report.js';
import { successCriteria, type NodeReading, type ResourceSample } from '../src/success-criteria.js';
import type { LoadTestResult } from '../src/load-test-client.js';

const node = (id: string, role: string, values: Partial<NodeReading>): NodeReading => ({
  id,
  role,
  up: true,
  cpuPercent: 20,
  systemCpuPercent: 30,
  memoryPercent: 40,
  rssBytes: 100 * 1024 * 1024,
  ...values,
});

/** A ramp of 20 seconds: events/s grow 100 → 2,000 and cluster CPU with them at `cpuPerEvent` core-% per event/s. */
const ramp = (cpuPerEvent: (second: number) => number): ResourceSample[] =>
  Array.from({ length: 20 }, (_, second) => {
    const events = 100 + second * 100;
    const cpu = events * cpuPerEvent(second);
    return {
      atMs: second * 1000,
      eventsPerSecond: events,
      nodes: [
        node('gateway-1', 'gateway', { cpuPercent: cpu / 2, systemCpuPercent: 20 + second * 2 }),
        node('processor-1', 'processor', { cpuPercent: cpu / 2, systemCpuPercent: 20 + second * 2 }),
        // The generator's CPU is not the cluster's: it does not count toward CPU per event.
        node('loadgen-1', 'loadgen', { cpuPercent: 90, memoryPercent: 55, rssBytes: 300 * 1024 * 1024 }),
      ],
    };
  });

describe('success criteria', () => {
  it('judges availability as acknowledged over offered against 99.9 %', () => {
    const [passed] = successCriteria('burst', { intended: 100_000, acknowledged: 99_950 }, [], null);
    expect(passed).toMatchObject({ name: 'availability', value: 99.95, passed: true });
    expect(passed?.detail).toBe('99950 acknowledged of 100000 offered');
    const [failed] = successCriteria('burst', { intended: 100_000, acknowledged: 99_800 }, [], null);
    expect(failed).toMatchObject({ value: 99.8, passed: false });
    const [none] = successCriteria('burst', { intended: 0, acknowledged: 0 }, [], null);
    expect(none).toMatchObject({ value: null, passed: null, detail: 'no event was offered' });
  });

  it('takes the host peaks over every sample and names each node with its own CPU and RSS peak', () => {
    const rows = successCriteria(
      'ramp',
      { intended: 10, acknowledged: 10 },
      ramp(() => 0.02),
      null,
    );
    expect(rows[1]).toMatchObject({ name: 'host CPU peak', value: 58, passed: true, target: '< 60 %' });
    expect(rows[1]?.detail).toBe(
      'all cores; node peaks (% of one core): gateway-1 20%, processor-1 20%, loadgen-1 90%',
    );
    expect(rows[2]).toMatchObject({ name: 'host memory peak', value: 55, passed: true, target: '< 70 %' });
    expect(rows[2]?.detail).toContain('loadgen-1 300 MB');
    const hot = ramp(() => 0.02).map((s) => ({
      ...s,
      nodes: s.nodes.map((n) => ({ ...n, systemCpuPercent: 75, memoryPercent: 71 })),
    }));
    const [, cpu, memory] = successCriteria('ramp', { intended: 10, acknowledged: 10 }, hot, null);
    expect([cpu?.passed, memory?.passed]).toEqual([false, false]);
  });

  it('calls a ramp proportional when CPU per event stays within ±20 % of its median at each of 5 steps', () => {
    const steady = successCriteria(
      'ramp',
      { intended: 1, acknowledged: 1 },
      ramp(() => 0.02),
      null,
    )[3];
    // 0.02 core-% per event/s = 0.2 core-ms per event at every step.
    expect(steady).toMatchObject({ name: 'scales proportionally', value: 0, passed: true });
    expect(steady?.detail).toBe('core-ms per event by step: 0.2, 0.2, 0.2, 0.2, 0.2 (median 0.2)');
    // The last step costs 1.5× per event: 50 % away from the median.
    const worse = successCriteria(
      'ramp',
      { intended: 1, acknowledged: 1 },
      ramp((s) => (s >= 16 ? 0.03 : 0.02)),
      null,
    );
    expect(worse[3]).toMatchObject({ value: 50, passed: false });
  });

  it('counts one process once when it runs several nodes (logperf up: same host and pid)', () => {
    const onePid = (values: Partial<NodeReading>) => ({ pid: 4242, url: 'http://127.0.0.1:8090', ...values });
    const samples: ResourceSample[] = ramp(() => 0.02).map((s) => ({
      ...s,
      nodes: [
        node('gateway-1', 'gateway', onePid({ cpuPercent: 80, rssBytes: 700 * 1024 * 1024 })),
        node('processor-1', 'processor', onePid({ url: 'http://127.0.0.1:8091', cpuPercent: 80 })),
        node('loadgen-1', 'loadgen', onePid({ url: 'http://127.0.0.1:8081', cpuPercent: 80 })),
        // The same pid on another host is another process.
        node('processor-2', 'processor', { pid: 4242, url: 'http://10.0.0.2:8091', cpuPercent: 10 }),
      ],
    }));
    const [, cpu, memory, scale] = successCriteria('ramp', { intended: 1, acknowledged: 1 }, samples, null);
    expect(cpu?.detail).toBe(
      'all cores; node peaks (% of one core): gateway-1+processor-1+loadgen-1 80%, processor-2 10%',
    );
    expect(memory?.detail).toBe(
      'MemAvailable/MemTotal; node RSS peaks: gateway-1+processor-1+loadgen-1 700 MB, processor-2 100 MB',
    );
    // The cluster's CPU is 80 + 10 core-% per sample, not 80 + 80 + 10 (which reads 6.8): the first step's 4 samples
    // carry 250 events/s on average, so 0.9 cores × 1000 ms / 250 = 3.6 core-ms per event.
    expect(scale?.detail).toMatch(/^core-ms per event by step: 3\.6, /);
  });

  it('is null with a reason where nothing was measured', () => {
    const rows = successCriteria(
      'ramp',
      { intended: 1, acknowledged: 1 },
      [],
      'the monitor at http://x gave no sample',
    );
    expect(rows.slice(1).map((r) => [r.value, r.passed, r.detail])).toEqual([
      [null, null, 'the monitor at http://x gave no sample'],
      [null, null, 'the monitor at http://x gave no sample'],
      [null, null, 'the monitor at http://x gave no sample'],
    ]);
    expect(
      successCriteria(
        'burst',
        { intended: 1, acknowledged: 1 },
        ramp(() => 0.02),
        null,
      )[3],
    ).toMatchObject({
      value: null,
      detail: 'judged on a ramp only: a burst has no steps of rising load',
    });
    expect(
      successCriteria('ramp', { intended: 1, acknowledged: 1 }, ramp(() => 0.02).slice(0, 6), null)[3],
    ).toMatchObject({ value: null, detail: '6 samples with both cluster CPU and throughput; 10 needed for 5 steps' });
  });

  it('prints the rows under the summary', () => {
    const test = {
      testId: 't',
      testName: 'seed-ramp',
      status: 'completed',
      passed: true,
      result: {
        target: 'http://127.0.0.1:8090/api/logs',
        durationSeconds: 20,
        intended: 1000,
        sent: 1000,
        acknowledged: 998,
        late: 0,
        dropped: 2,
        errors: {},
        achievedRatePerSecond: 49.95,
        intendedRatePerSecond: 50,
        saturated: false,
        saturatedAtSeconds: null,
        latencyMs: { p50: 1, p95: 2, p99: 3, p999: 4, max: 5 },
        serviceTimeMs: { p50: 1, p99: 2 },
        phases: [],
        endToEnd: { available: false, reason: 'no processor' },
        thresholds: [],
        timeline: [],
      },
    } as unknown as LoadTestResult;
    const text = summary(
      test,
      successCriteria(
        'ramp',
        test.result,
        ramp(() => 0.02),
        null,
      ),
    );
    expect(text).toContain("the seed's success criteria:");
    expect(text).toContain('  FAIL availability: 99.8 % (target ≥ 99.9 %); 998 acknowledged of 1000 offered');
    expect(text).toContain('  PASS host CPU peak: 58 % (target < 60 %)');
    expect(text).toContain(
      '  PASS scales proportionally: 0 % spread (target CPU per event within ±20 % across 5 steps)',
    );
  });
});
