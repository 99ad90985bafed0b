// Regression verdicts: two runs compared per metric with a rank test (Mann-Whitney U) on per-second values, after
// dropping warm-up and tail; a verdict needs both significance (p < alpha) and a change large enough to matter.
import {
  judgeChange,
  REGRESSION_ALPHA,
  REGRESSION_MIN_RELATIVE_CHANGE,
  type ChangeJudgement,
  type ChangeVerdict,
} from '@logperf/core';
import { componentLatency, type RunData } from './run-data.js';

export type MetricComparison = { metric: string; unit: string } & ChangeJudgement;

export interface RunComparison {
  baselineTestId: string;
  candidateTestId: string;
  alpha: number;
  minRelativeChange: number;
  verdict: ChangeVerdict;
  metrics: MetricComparison[];
}

export interface CompareOptions {
  alpha?: number;
  /** Smallest relative change of the median that counts (default the shared rule's 10 %). */
  minRelativeChange?: number;
  /** Seconds dropped at the start of each run (warm-up) and at its end (partial second). */
  warmupSeconds?: number;
}

interface MetricSpec {
  metric: string;
  unit: string;
  /** Whether larger values are better (throughput) or worse (latency, errors). */
  higherIsBetter: boolean;
  values(run: RunData, warmup: number): number[];
}

const steadySeconds = (run: RunData, warmup: number) =>
  run.seconds.slice(warmup, Math.max(warmup, run.seconds.length - 1));

const requestLatency = (p: 'p50' | 'p95' | 'p99'): MetricSpec => ({
  metric: `request latency ${p}`,
  unit: 'ms',
  higherIsBetter: false,
  values: (run, warmup) =>
    steadySeconds(run, warmup).flatMap((s) => (s.latencyMs.count > 0 ? [s.latencyMs[p] ?? s.latencyMs.p99] : [])),
});

/** End-to-end latency (event timestamp → stored) per second, from the monitor's merged processor histograms. */
const endToEnd = (p: 'p50' | 'p95' | 'p99'): MetricSpec => ({
  metric: `end-to-end latency ${p}`,
  unit: 'ms',
  higherIsBetter: false,
  values: (run, warmup) =>
    componentLatency(run, 'end-to-end')
      .seconds.filter((s) => s.atMs >= run.startedAt + warmup * 1000 && s.atMs <= run.finishedAt - 1000)
      .map((s) => s[p]),
});

const METRICS: MetricSpec[] = [
  requestLatency('p50'),
  requestLatency('p95'),
  requestLatency('p99'),
  {
    metric: 'throughput',
    unit: 'events/s',
    higherIsBetter: true,
    values: (run, warmup) => steadySeconds(run, warmup).map((s) => s.acknowledged),
  },
  {
    metric: 'error rate',
    unit: 'share',
    higherIsBetter: false,
    values: (run, warmup) =>
      steadySeconds(run, warmup).map((s) =>
        s.acknowledged + s.errors > 0 ? s.errors / (s.acknowledged + s.errors) : 0,
      ),
  },
  endToEnd('p50'),
  endToEnd('p95'),
  endToEnd('p99'),
];

export function compareMetric(
  spec: Pick<MetricSpec, 'metric' | 'unit' | 'higherIsBetter'>,
  a: number[],
  b: number[],
  alpha: number,
  minRelativeChange: number,
): MetricComparison | undefined {
  const judgement = judgeChange(a, b, { higherIsBetter: spec.higherIsBetter, alpha, minRelativeChange });
  return judgement && { metric: spec.metric, unit: spec.unit, ...judgement };
}

/** Compares every metric both runs measured; the overall verdict is 'regressed' if any metric regressed. */
export function compareRuns(baseline: RunData, candidate: RunData, options: CompareOptions = {}): RunComparison {
  const alpha = options.alpha ?? REGRESSION_ALPHA;
  const minRelativeChange = options.minRelativeChange ?? REGRESSION_MIN_RELATIVE_CHANGE;
  const warmup = options.warmupSeconds ?? 2;
  const metrics = METRICS.flatMap(
    (spec) =>
      compareMetric(spec, spec.values(baseline, warmup), spec.values(candidate, warmup), alpha, minRelativeChange) ??
      [],
  );
  const verdict: ChangeVerdict = metrics.some((m) => m.verdict === 'regressed')
    ? 'regressed'
    : metrics.some((m) => m.verdict === 'improved')
      ? 'improved'
      : 'unchanged';
  return {
    baselineTestId: baseline.testId,
    candidateTestId: candidate.testId,
    alpha,
    minRelativeChange,
    verdict,
    metrics,
  };
}
