// Synthetic runs for the analyzer's unit tests: per-second generator results and monitor seconds, from a seed.
import { LatencyHistogram } from '@logperf/core';
import type { HistoryNode, HistoryRow } from '@logperf/measurements';
import type { RunData, RunSecond } from '../src/run-data.js';
import { seededRandom } from './random.js';

export const START_MS = Date.UTC(2026, 10, 25, 12, 0, 0);

export interface SyntheticRun {
  testId: string;
  seconds: number;
  rate: (second: number) => number;
  /** Median latency of the second, ms; each second's histogram has lognormal spread around it. */
  latencyMs: (second: number) => number;
  seed: number;
  errors?: Record<string, number>;
  saturated?: boolean;
  /** Per node, what it reports each second (null: no monitor history). */
  nodes?: ((second: number) => HistoryNode[]) | null;
  queueDepth?: (second: number) => number | null;
  /** A median (lognormal spread around it), or the exact write times of that second (none: no write finished). */
  storeMs?: (second: number) => number | number[];
  /** Events the processors stored that second (the monitor's throughput); the generator's rate when absent. */
  storedPerSecond?: (second: number) => number;
}

function exactHistogram(valuesMs: number[]): LatencyHistogram {
  const h = LatencyHistogram.create();
  for (const ms of valuesMs) h.recordMs(ms);
  return h;
}

function histogramOf(medianMs: number, count: number, random: () => number): LatencyHistogram {
  const h = LatencyHistogram.create();
  for (let i = 0; i < count; i++)
    h.recordMs(medianMs * Math.exp(0.3 * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())));
  return h;
}

export const node = (id: string, role: string, sample: Partial<HistoryNode> = {}): HistoryNode => ({
  id,
  role,
  up: true,
  cpuPercent: 20,
  systemCpuPercent: 30,
  memoryPercent: 40,
  ioUtilPercent: 5,
  networkRxBytesPerSecond: 0,
  networkTxBytesPerSecond: 0,
  eventLoopLagP99Ms: 12,
  gcPauseMs: 5,
  eventsPerSecond: 0,
  ...sample,
});

export function syntheticRun(spec: SyntheticRun): RunData {
  const random = seededRandom(spec.seed);
  const seconds: RunSecond[] = [];
  const history: HistoryRow[] = [];
  const all = LatencyHistogram.create();
  let intended = 0;
  for (let s = 0; s < spec.seconds; s++) {
    const rate = spec.rate(s);
    const h = histogramOf(spec.latencyMs(s), 200, random.uniform);
    all.merge(h);
    const summary = h.summary();
    intended += rate;
    seconds.push({
      second: s,
      intended: rate,
      sent: rate,
      acknowledged: rate,
      errors: 0,
      latencyMs: {
        count: rate,
        meanMs: summary.meanMs,
        p50: summary.p50,
        p90: summary.p90,
        p95: summary.p95,
        p99: summary.p99,
      },
    });
    if (spec.nodes !== null) {
      const latency: Record<string, string> = {
        'end-to-end': histogramOf(spec.latencyMs(s) * 1.5, 200, random.uniform).encode(),
      };
      const store = spec.storeMs?.(s);
      if (typeof store === 'number') latency.store = histogramOf(store, 50, random.uniform).encode();
      else if (store && store.length > 0) latency.store = exactHistogram(store).encode();
      history.push({
        atMs: START_MS + s * 1000 + 500,
        throughput: spec.storedPerSecond?.(s) ?? rate,
        queueDepth: spec.queueDepth?.(s) ?? 0,
        nodes: spec.nodes?.(s) ?? [node('processor-1', 'processor'), node('gateway-1', 'gateway')],
        latency,
      });
    }
  }
  const acknowledged = intended - Object.values(spec.errors ?? {}).reduce((a, b) => a + b, 0);
  return {
    testId: spec.testId,
    testName: spec.testId,
    kind: 'ramp',
    status: 'completed',
    startedAt: START_MS,
    finishedAt: START_MS + spec.seconds * 1000,
    target: 'http://127.0.0.1:8090/api/logs',
    durationSeconds: spec.seconds,
    intendedRatePerSecond: intended / spec.seconds,
    achievedRatePerSecond: acknowledged / spec.seconds,
    intended,
    acknowledged,
    dropped: 0,
    sent: intended,
    late: spec.saturated ? Math.round(intended * 0.2) : 0,
    errors: spec.errors ?? {},
    saturated: spec.saturated ?? false,
    saturatedAtSeconds: spec.saturated ? 1 : null,
    latencyHistogram: all.encode(),
    seconds,
    history,
  };
}
