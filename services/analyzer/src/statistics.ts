// Pure statistics over a run's series: spread, steady state, outliers, Welch's t-test and change points.
import { fitLine, median, summarise } from '@logperf/core';

export interface Spread {
  count: number;
  mean: number;
  stddev: number;
  /** Coefficient of variation (stddev / mean); 0 when the mean is 0. */
  cv: number;
}

export function spread(values: readonly number[]): Spread {
  const s = summarise(values);
  return { count: s.count, mean: s.mean, stddev: s.stddev, cv: s.mean === 0 ? 0 : s.stddev / Math.abs(s.mean) };
}

/** Sums counts into intervals of `intervalSeconds` and divides by the interval: events/s per interval. */
export function throughputPerInterval(
  perSecond: readonly { second: number; count: number }[],
  intervalSeconds: number,
): { startSecond: number; perSecond: number }[] {
  const buckets = new Map<number, number>();
  for (const { second, count } of perSecond) {
    const start = Math.floor(second / intervalSeconds) * intervalSeconds;
    buckets.set(start, (buckets.get(start) ?? 0) + count);
  }
  return [...buckets.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([startSecond, count]) => ({ startSecond, perSecond: count / intervalSeconds }));
}

export interface SteadyState {
  steady: boolean;
  /** Index from which the series is steady (the warm-up before it is excluded). */
  fromIndex: number;
  cv: number;
  /** Drift over the steady part, as a share of its mean per 60 samples. */
  driftPerMinute: number;
  reason: string;
}

/**
 * Steady when, after dropping the warm-up (the first 10%, at least one sample), the spread is small (CV ≤ maxCv)
 * and there is no significant trend (|slope| under 2 standard errors, or a drift under 5% a minute).
 */
export function steadyState(series: readonly number[], maxCv = 0.1): SteadyState {
  if (series.length < 6)
    return {
      steady: false,
      fromIndex: 0,
      cv: 0,
      driftPerMinute: 0,
      reason: `only ${series.length} samples; at least 6 are needed`,
    };
  const fromIndex = Math.max(1, Math.floor(series.length / 10));
  const part = series.slice(fromIndex);
  const { cv, mean } = spread(part);
  const line = fitLine(
    part.map((_, i) => i),
    part,
  );
  const driftPerMinute = mean === 0 ? 0 : (line.slope * 60) / Math.abs(mean);
  const trending = Math.abs(line.slope) > 2 * line.slopeStdErr && Math.abs(driftPerMinute) > 0.05;
  if (cv > maxCv)
    return {
      steady: false,
      fromIndex,
      cv,
      driftPerMinute,
      reason: `varies too much: CV ${(cv * 100).toFixed(1)}% > ${maxCv * 100}%`,
    };
  if (trending)
    return {
      steady: false,
      fromIndex,
      cv,
      driftPerMinute,
      reason: `drifts ${(driftPerMinute * 100).toFixed(1)}% a minute`,
    };
  return {
    steady: true,
    fromIndex,
    cv,
    driftPerMinute,
    reason: `CV ${(cv * 100).toFixed(1)}%, drift ${(driftPerMinute * 100).toFixed(1)}% a minute`,
  };
}

/** Indexes whose modified z-score (0.6745·|x − median| / MAD) exceeds `limit` (Iglewicz and Hoaglin: 3.5). */
export function outliers(series: readonly number[], limit = 3.5): number[] {
  const m = median(series);
  const mad = median(series.map((v) => Math.abs(v - m)));
  if (mad === 0) return series.flatMap((v, i) => (v !== m ? [i] : []));
  return series.flatMap((v, i) => ((0.6745 * Math.abs(v - m)) / mad > limit ? [i] : []));
}

function logGamma(x: number): number {
  // Lanczos approximation (g = 7, n = 9), accurate to ~15 digits for x > 0.
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = c[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Regularised incomplete beta I_x(a, b), by Lentz's continued fraction (Numerical Recipes 6.4). */
function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  if (x > (a + 1) / (a + b + 2)) return 1 - incompleteBeta(1 - x, b, a);
  const tiny = 1e-300;
  const guard = (v: number) => (Math.abs(v) < tiny ? tiny : v);
  let c = 1;
  let d = 1 / guard(1 - ((a + b) * x) / (a + 1));
  let f = d;
  for (let m = 1; m <= 300; m++) {
    let delta = 1;
    for (const numerator of [
      (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m)),
      -((a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1)),
    ]) {
      d = 1 / guard(1 + numerator * d);
      c = guard(1 + numerator / c);
      delta = c * d;
      f *= delta;
    }
    if (Math.abs(delta - 1) < 1e-12) break;
  }
  return (front * f) / a;
}

/** Two-sided p-value of Student's t with `df` degrees of freedom. */
export function studentTwoSidedP(t: number, df: number): number {
  if (!Number.isFinite(t)) return 0;
  return incompleteBeta(df / (df + t * t), df / 2, 0.5);
}

export interface TTest {
  t: number;
  df: number;
  pValue: number;
}

/** Welch's t-test of b against a (unequal variances). */
export function welchT(a: readonly number[], b: readonly number[]): TTest | undefined {
  if (a.length < 2 || b.length < 2) return undefined;
  const sa = summarise(a);
  const sb = summarise(b);
  const va = sa.stddev ** 2 / a.length;
  const vb = sb.stddev ** 2 / b.length;
  if (va + vb === 0)
    return { t: sa.mean === sb.mean ? 0 : Infinity, df: a.length + b.length - 2, pValue: sa.mean === sb.mean ? 1 : 0 };
  const t = (sb.mean - sa.mean) / Math.sqrt(va + vb);
  const df = (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1));
  return { t, df, pValue: studentTwoSidedP(t, df) };
}

export interface ChangePoint {
  /** First index of the new regime: where the shift (a step) or the departure (a ramp) began. */
  index: number;
  shape: 'step' | 'ramp';
  before: number;
  after: number;
  pValue: number;
}

/**
 * Where a single change began: the split that best explains the series, as a step (two means) or a ramp (flat, then
 * a line from the split), by least squares with prefix sums (O(n)).
 */
function bestSplit(series: readonly number[]): { index: number; shape: ChangePoint['shape'] } {
  const n = series.length;
  const s = { y: [0], y2: [0], ty: [0], t: [0], t2: [0] };
  series.forEach((y, t) => {
    s.y.push(s.y.at(-1)! + y);
    s.y2.push(s.y2.at(-1)! + y * y);
    s.ty.push(s.ty.at(-1)! + t * y);
    s.t.push(s.t.at(-1)! + t);
    s.t2.push(s.t2.at(-1)! + t * t);
  });
  const range = (a: readonly number[], from: number, to: number) => a[to]! - a[from]!;
  const segmentSse = (from: number, to: number) => range(s.y2, from, to) - range(s.y, from, to) ** 2 / (to - from);
  let best = { index: 0, shape: 'step' as ChangePoint['shape'], sse: Infinity };
  for (let k = 2; k <= n - 2; k++) {
    const step = segmentSse(0, k) + segmentSse(k, n);
    // Ramp: y = a + b·x with x = max(0, t − (k − 1)): regression of y on x over the whole series.
    const tau = k - 1;
    const m = n - k;
    const sx = range(s.t, k, n) - tau * m;
    const sxx = range(s.t2, k, n) - 2 * tau * range(s.t, k, n) + tau * tau * m;
    const sxy = range(s.ty, k, n) - tau * range(s.y, k, n);
    const sy = s.y[n]!;
    const vx = sxx - (sx * sx) / n;
    const cxy = sxy - (sx * sy) / n;
    const ramp = s.y2[n]! - (sy * sy) / n - (vx > 0 ? (cxy * cxy) / vx : 0);
    if (step < best.sse) best = { index: k, shape: 'step', sse: step };
    if (ramp < best.sse) best = { index: k, shape: 'ramp', sse: ramp };
  }
  return best;
}

/**
 * A windowed t-test says whether the series changed: at each index, Welch's test of the `window` samples before
 * against the `window` after, the largest |t| Bonferroni-corrected for the indexes tried must give p < alpha. Where
 * the change began is then the least-squares split (step or ramp).
 */
export function changePoint(series: readonly number[], window = 10, alpha = 0.01): ChangePoint | undefined {
  let best: { pValue: number; t: number } | undefined;
  const tried = Math.max(1, series.length - 2 * window + 1);
  for (let i = window; i <= series.length - window; i++) {
    const test = welchT(series.slice(i - window, i), series.slice(i, i + window));
    if (!test || (best && Math.abs(test.t) <= Math.abs(best.t))) continue;
    best = { pValue: Math.min(1, test.pValue * tried), t: test.t };
  }
  if (!best || best.pValue >= alpha) return undefined;
  const split = bestSplit(series);
  return {
    index: split.index,
    shape: split.shape,
    before: spread(series.slice(0, split.index)).mean,
    after: spread(series.slice(split.index)).mean,
    pValue: best.pValue,
  };
}
