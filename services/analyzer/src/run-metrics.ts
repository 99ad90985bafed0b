// The statistics of one run: merged percentiles, throughput per interval with its spread, steady state, outlier
// seconds and the change point of latency (when a regression began).
import { LatencyHistogram, type LatencySummary } from '@logperf/core';
import { componentLatency, type RunData } from './run-data.js';
import {
  changePoint,
  outliers,
  spread,
  steadyState,
  throughputPerInterval,
  type Spread,
  type SteadyState,
} from './statistics.js';

export interface RunMetrics {
  testId: string;
  testName: string;
  kind: string;
  durationSeconds: number;
  intendedRatePerSecond: number;
  achievedRatePerSecond: number;
  errorRate: number;
  /** Corrected request latency over the whole run (the generator's HDR histogram). */
  requestLatencyMs: LatencySummary | null;
  /** Event timestamp → stored, merged from the monitor's per-second processor histograms. */
  endToEndLatencyMs: LatencySummary | null;
  throughput: Spread & { perInterval: { startSecond: number; perSecond: number }[]; intervalSeconds: number };
  steadyState: SteadyState;
  /** Seconds whose p99 is an outlier (modified z-score > 3.5). */
  outlierSeconds: number[];
  /** When p99 latency changed (a step or the start of a ramp), if it did. */
  latencyChange: { atSecond: number; shape: 'step' | 'ramp'; beforeMs: number; afterMs: number; pValue: number } | null;
}

export function runMetrics(run: RunData, intervalSeconds = 10): RunMetrics {
  const seconds = run.seconds;
  const handled = run.acknowledged + Object.values(run.errors).reduce((a, b) => a + b, 0);
  const acknowledged = seconds.map((s) => s.acknowledged);
  const withLatency = seconds.filter((s) => s.latencyMs.count > 0);
  const p99 = withLatency.map((s) => s.latencyMs.p99);
  const change = changePoint(p99, Math.min(10, Math.max(3, Math.floor(p99.length / 4))));
  return {
    testId: run.testId,
    testName: run.testName,
    kind: run.kind,
    durationSeconds: run.durationSeconds,
    intendedRatePerSecond: run.intendedRatePerSecond,
    achievedRatePerSecond: run.achievedRatePerSecond,
    errorRate: handled > 0 ? (handled - run.acknowledged) / handled : 0,
    requestLatencyMs: run.latencyHistogram ? LatencyHistogram.decode(run.latencyHistogram).summary() : null,
    endToEndLatencyMs: componentLatency(run, 'end-to-end').merged,
    throughput: {
      ...spread(acknowledged),
      intervalSeconds,
      perInterval: throughputPerInterval(
        seconds.map((s) => ({ second: s.second, count: s.acknowledged })),
        intervalSeconds,
      ),
    },
    steadyState: steadyState(acknowledged),
    outlierSeconds: outliers(p99).map((i) => withLatency[i]!.second),
    latencyChange: change
      ? {
          atSecond: withLatency[change.index]!.second,
          shape: change.shape,
          beforeMs: change.before,
          afterMs: change.after,
          pValue: change.pValue,
        }
      : null,
  };
}
