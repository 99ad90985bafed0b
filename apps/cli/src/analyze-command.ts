// `logperf analyze`: asks the analyzer about a test (statistics, bottlenecks, recommendations) or compares two tests;
// exit status 1 when the comparison finds a regression.
import type { RunComparison, Diagnosis, Recommendation, RunMetrics } from '@logperf/analyzer';
import { request } from './load-test-client.js';
import { textTable } from './report.js';

export interface AnalyzeOptions {
  url: string;
  testId?: string | undefined;
  compare?: [string, string] | undefined;
  json: boolean;
  token?: string | undefined;
}

const num = (n: number) =>
  Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en-US') : Number(n.toPrecision(3)).toString();

export function comparisonText(c: RunComparison): string {
  const rows = [
    ['metric', 'baseline', 'candidate', 'change', 'p-value', 'effect', 'verdict'],
    ...c.metrics.map((m) => [
      `${m.metric} (${m.unit})`,
      num(m.baseline),
      num(m.candidate),
      m.relativeChange === null ? 'n/a' : `${m.relativeChange >= 0 ? '+' : ''}${(m.relativeChange * 100).toFixed(1)}%`,
      m.pValue.toPrecision(2),
      m.effectSize.toFixed(2),
      m.verdict.toUpperCase(),
    ]),
  ];
  return [
    `${c.candidateTestId} against ${c.baselineTestId}: ${c.verdict.toUpperCase()}`,
    `(Mann-Whitney U on per-second values; a verdict needs p < ${c.alpha} and a change of at least ${c.minRelativeChange * 100}%)`,
    '',
    textTable(rows),
  ].join('\n');
}

export function analysisText(metrics: RunMetrics, diagnosis: Diagnosis, recommendations: Recommendation[]): string {
  const lat = metrics.requestLatencyMs;
  const e2e = metrics.endToEndLatencyMs;
  return [
    `${metrics.testName} (${metrics.testId}), ${metrics.kind}, ${num(metrics.durationSeconds)} s: ${num(metrics.achievedRatePerSecond)}/${num(metrics.intendedRatePerSecond)} events/s, error rate ${(metrics.errorRate * 100).toFixed(2)}%`,
    lat
      ? `request latency (corrected): p50 ${num(lat.p50)} ms, p95 ${num(lat.p95)} ms, p99 ${num(lat.p99)} ms`
      : 'request latency: not stored',
    e2e
      ? `end-to-end latency: p50 ${num(e2e.p50)} ms, p95 ${num(e2e.p95)} ms, p99 ${num(e2e.p99)} ms`
      : 'end-to-end latency: no monitor history for this test',
    `throughput per second: mean ${num(metrics.throughput.mean)}, CV ${(metrics.throughput.cv * 100).toFixed(1)}%; steady state: ${metrics.steadyState.steady ? 'yes' : 'no'} (${metrics.steadyState.reason})`,
    metrics.latencyChange
      ? `latency changed (${metrics.latencyChange.shape}) at +${metrics.latencyChange.atSecond} s: p99 ${num(metrics.latencyChange.beforeMs)} → ${num(metrics.latencyChange.afterMs)} ms (p = ${metrics.latencyChange.pValue.toPrecision(2)})`
      : 'latency: no change point',
    metrics.outlierSeconds.length > 0
      ? `outlier seconds (p99): ${metrics.outlierSeconds.slice(0, 20).join(', ')}${metrics.outlierSeconds.length > 20 ? ' …' : ''}`
      : 'no outlier seconds',
    '',
    `diagnosis: ${diagnosis.summary}`,
    ...diagnosis.findings.map(
      (f, i) => `  ${i + 1}. [${f.confidence.toFixed(2)}] ${f.component} ${f.resource}: ${f.evidence}`,
    ),
    '',
    recommendations.length > 0 ? 'recommendations:' : 'recommendations: none (no measured condition calls for one)',
    ...recommendations.map((r) => `  - ${r.area}: ${r.action}\n      because ${r.evidence}`),
  ].join('\n');
}

/** Prints the analysis; resolves to the exit status (1 on a regression). */
export async function runAnalyze(options: AnalyzeOptions): Promise<number> {
  const base = options.url.replace(/\/+$/, '');
  if (options.compare) {
    const [baselineTestId, candidateTestId] = options.compare;
    const comparison = await request<RunComparison>(`${base}/api/analysis/compare`, {
      method: 'POST',
      body: JSON.stringify({ baselineTestId, candidateTestId }),
      token: options.token,
    });
    console.log(options.json ? JSON.stringify(comparison, null, 2) : comparisonText(comparison));
    return comparison.verdict === 'regressed' ? 1 : 0;
  }
  const query = options.testId ? `?testId=${encodeURIComponent(options.testId)}` : '';
  const [metrics, diagnosis, recommendations] = await Promise.all([
    request<RunMetrics>(`${base}/api/analysis/metrics${query}`),
    request<Diagnosis>(`${base}/api/analysis/bottlenecks${query}`),
    request<{ recommendations: Recommendation[] }>(`${base}/api/analysis/recommendations${query}`),
  ]);
  console.log(
    options.json
      ? JSON.stringify({ metrics, diagnosis, recommendations: recommendations.recommendations }, null, 2)
      : analysisText(metrics, diagnosis, recommendations.recommendations),
  );
  return 0;
}
