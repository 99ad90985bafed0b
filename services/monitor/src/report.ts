// A performance report computed only from stored measurements: throughput, latency, resources, bottlenecks, the
// change against a baseline judged by the shared regression rule (Mann-Whitney U on medians), and the observed
// capacity headroom.
import {
  judgeChange,
  LatencyHistogram,
  samplesByNode,
  summarise,
  type ChangeJudgement,
  type LatencySummary,
  type SeriesSummary,
} from '@logperf/core';
import {
  detectBottlenecks,
  type Baseline,
  type BottleneckThresholds,
  type HistoryRow,
  type Verdict,
} from '@logperf/measurements';

/** One metric of the window against the baseline, judged by the shared regression rule (median, p < 0.01, ≥ 10 %). */
export type BaselineChange = { metric: string } & ChangeJudgement;

/** Per-second p99 of each component, from each row's histogram of that second. */
export function p99Series(rows: readonly HistoryRow[]): Record<string, number[]> {
  const series: Record<string, number[]> = {};
  for (const row of rows)
    for (const [component, encoded] of Object.entries(row.latency))
      (series[component] ??= []).push(LatencyHistogram.decode(encoded).percentileMs(99));
  return series;
}

export function baselineFrom(name: string, rows: readonly HistoryRow[], nowMs: number): Baseline {
  return {
    name,
    createdAt: nowMs,
    fromMs: rows[0]?.atMs ?? nowMs,
    toMs: rows.at(-1)?.atMs ?? nowMs,
    throughputPerSecond: rows.map((r) => r.throughput),
    p99ByComponent: p99Series(rows),
  };
}

function compare(
  metric: string,
  higherIsBetter: boolean,
  baseline: readonly number[],
  current: readonly number[],
): BaselineChange | undefined {
  const judgement = judgeChange(baseline, current, { higherIsBetter });
  return judgement && { metric, ...judgement };
}

export interface Report {
  fromMs: number;
  toMs: number;
  seconds: number;
  throughput: SeriesSummary & { totalEvents: number };
  latency: Record<string, LatencySummary>;
  resources: Record<
    string,
    {
      role: string;
      cpuPercent: SeriesSummary;
      memoryPercent: SeriesSummary;
      ioUtilPercent: SeriesSummary;
      eventLoopLagP99Ms: SeriesSummary;
      upShare: number;
    }
  >;
  queueDepth: SeriesSummary;
  bottlenecks: Verdict[];
  baseline: { name: string; fromMs: number; toMs: number; comparisons: BaselineChange[] } | null;
  capacity: {
    observedPeakPerSecond: number;
    meanPerSecond: number;
    observedHeadroomPercent: number | null;
    basis: string;
  };
}

/** A row is one second, or (an aggregate) `seconds` of them whose throughput and figures are means. */
export function buildReport(
  rows: readonly (HistoryRow & { seconds?: number })[],
  fromMs: number,
  toMs: number,
  baseline: Baseline | undefined,
  thresholds: BottleneckThresholds,
): Report {
  const throughputSeries = rows.map((r) => r.throughput);
  // Each second's histogram is decoded once: merged into the window's and read for its p99 (the baseline comparison).
  const latency: Record<string, LatencyHistogram> = {};
  const current: Record<string, number[]> = {};
  for (const row of rows)
    for (const [component, encoded] of Object.entries(row.latency)) {
      const second = LatencyHistogram.decode(encoded);
      (latency[component] ??= LatencyHistogram.create()).merge(second);
      (current[component] ??= []).push(second.percentileMs(99));
    }

  const byNode = samplesByNode(rows);
  const values = (samples: HistoryRow['nodes'][number][], pick: (n: HistoryRow['nodes'][number]) => number | null) =>
    samples.map(pick).filter((v): v is number => v !== null);
  const resources = Object.fromEntries(
    [...byNode].map(([id, { role, samples }]) => [
      id,
      {
        role,
        cpuPercent: summarise(values(samples, (n) => n.cpuPercent)),
        memoryPercent: summarise(values(samples, (n) => n.memoryPercent)),
        ioUtilPercent: summarise(values(samples, (n) => n.ioUtilPercent)),
        eventLoopLagP99Ms: summarise(values(samples, (n) => n.eventLoopLagP99Ms)),
        upShare: samples.filter((n) => n.up).length / samples.length,
      },
    ]),
  );
  const queueDepths = rows.map((r) => r.queueDepth).filter((d): d is number => d !== null);
  const lastNodes = rows.at(-1)?.nodes ?? [];
  const bottlenecks = detectBottlenecks({
    windowSeconds: Math.round((toMs - fromMs) / 1000),
    nodes: [...byNode].map(([id, { role, samples }]) => ({
      id,
      role,
      up: lastNodes.find((n) => n.id === id)?.up ?? false,
      samples,
    })),
    throughputPerSecond: summarise(throughputSeries).mean,
    targetRatePerSecond: null,
    queueDepth: queueDepths.at(-1) ?? null,
    lagStatus: null,
    thresholds,
  });

  const comparisons = baseline
    ? [
        compare('throughput per second', true, baseline.throughputPerSecond, throughputSeries),
        ...Object.keys(baseline.p99ByComponent).map((c) =>
          compare(`${c} p99 ms (per second)`, false, baseline.p99ByComponent[c] ?? [], current[c] ?? []),
        ),
      ].filter((c): c is BaselineChange => c !== undefined)
    : [];
  const seconds = rows.reduce((sum, r) => sum + (r.seconds ?? 1), 0);
  const totalEvents = rows.reduce((sum, r) => sum + r.throughput * (r.seconds ?? 1), 0);
  // Mean per second over every measured second (a minute row weighs its seconds); min/max/stddev are over rows.
  const t = { ...summarise(throughputSeries), mean: seconds > 0 ? totalEvents / seconds : 0 };
  return {
    fromMs,
    toMs,
    seconds,
    throughput: { ...t, totalEvents },
    latency: Object.fromEntries(Object.entries(latency).map(([c, h]) => [c, h.summary()])),
    resources,
    queueDepth: summarise(queueDepths),
    bottlenecks,
    baseline: baseline ? { name: baseline.name, fromMs: baseline.fromMs, toMs: baseline.toMs, comparisons } : null,
    capacity: {
      observedPeakPerSecond: t.max,
      meanPerSecond: t.mean,
      observedHeadroomPercent: t.mean > 0 ? ((t.max - t.mean) / t.mean) * 100 : null,
      basis:
        'observed in this window only (peak row vs mean: a second, or a minute’s mean for whole minutes); a fitted capacity model is the analyzer’s job',
    },
  };
}
