// The one regression rule: two series of per-second values compared with a Mann-Whitney U rank test; a change counts
// only when it is significant (p < alpha, default 0.01) AND its median moved by at least minRelativeChange (default
// 10 %), smaller shifts being noise on a shared machine. The analyzer's run comparison and the monitor's baseline
// report both judge with it.
import { mannWhitneyU, median } from './stats.js';

export type ChangeVerdict = 'improved' | 'unchanged' | 'regressed';

/** Default significance level of the rule. */
export const REGRESSION_ALPHA = 0.01;
/** Default smallest relative change of the median that counts. */
export const REGRESSION_MIN_RELATIVE_CHANGE = 0.1;

export interface ChangeRule {
  /** Whether larger values are better (throughput) or worse (latency, errors). */
  higherIsBetter: boolean;
  alpha?: number;
  minRelativeChange?: number;
}

export interface ChangeJudgement {
  /** Medians of the per-second values. */
  baseline: number;
  candidate: number;
  /** (candidate − baseline) / baseline; null when the baseline is 0 and the candidate is not. */
  relativeChange: number | null;
  pValue: number;
  /** Rank-biserial correlation in [−1, 1], > 0 when the candidate's values tend to be larger. */
  effectSize: number;
  samples: { baseline: number; candidate: number };
  verdict: ChangeVerdict;
  reason: string;
}

/** Judges the candidate's values against the baseline's; undefined with fewer than 3 values on a side (no test). */
export function judgeChange(a: readonly number[], b: readonly number[], rule: ChangeRule): ChangeJudgement | undefined {
  const test = mannWhitneyU(a, b);
  if (test === undefined) return undefined;
  const alpha = rule.alpha ?? REGRESSION_ALPHA;
  const minRelativeChange = rule.minRelativeChange ?? REGRESSION_MIN_RELATIVE_CHANGE;
  const baseline = median(a);
  const candidate = median(b);
  const relativeChange = baseline === 0 ? (candidate === 0 ? 0 : null) : (candidate - baseline) / baseline;
  const base = {
    baseline,
    candidate,
    relativeChange,
    pValue: test.pValue,
    effectSize: test.effectSize,
    samples: { baseline: a.length, candidate: b.length },
  };
  const change =
    relativeChange === null ? 'from 0' : `${relativeChange >= 0 ? '+' : ''}${(relativeChange * 100).toFixed(1)}%`;
  if (test.pValue >= alpha)
    return {
      ...base,
      verdict: 'unchanged',
      reason: `${change}, not significant (p = ${test.pValue.toPrecision(2)} ≥ ${alpha})`,
    };
  if (relativeChange !== null && Math.abs(relativeChange) < minRelativeChange)
    return {
      ...base,
      verdict: 'unchanged',
      reason: `${change} is significant (p = ${test.pValue.toPrecision(2)}) but under the ${minRelativeChange * 100}% that matters`,
    };
  const worse = rule.higherIsBetter ? candidate < baseline : candidate > baseline;
  return {
    ...base,
    verdict: worse ? 'regressed' : 'improved',
    reason: `${change} (p = ${test.pValue.toPrecision(2)}, effect ${test.effectSize.toFixed(2)})`,
  };
}
