// Small statistics shared by the services: summaries, the median, the Mann-Whitney U rank test (normal approximation,
// tie-corrected) and the one least-squares line fit.

export interface SeriesSummary {
  count: number;
  mean: number;
  stddev: number;
  min: number;
  max: number;
}

export function summarise(values: readonly number[]): SeriesSummary {
  const count = values.length;
  if (count === 0) return { count: 0, mean: 0, stddev: 0, min: 0, max: 0 };
  const mean = values.reduce((a, b) => a + b, 0) / count;
  const variance = count > 1 ? values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (count - 1) : 0;
  return { count, mean, stddev: Math.sqrt(variance), min: Math.min(...values), max: Math.max(...values) };
}

/** The middle value (mean of the two middle ones for an even count); 0 for no values. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface RankTest {
  u: number;
  z: number;
  /** Two-sided. */
  pValue: number;
  /** Rank-biserial correlation in [−1, 1]: > 0 when `b` tends to be larger than `a`. */
  effectSize: number;
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 erf, |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** Mann-Whitney U of b against a; needs at least 3 values on each side for the approximation to mean anything. */
export function mannWhitneyU(a: readonly number[], b: readonly number[]): RankTest | undefined {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 < 3 || n2 < 3) return undefined;
  const all = [...a.map((value) => ({ value, fromB: false })), ...b.map((value) => ({ value, fromB: true }))].sort(
    (x, y) => x.value - y.value,
  );
  const ranks = new Array<number>(all.length);
  let tieTerm = 0;
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j + 1 < all.length && all[j + 1]!.value === all[i]!.value) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[k] = rank;
    const ties = j - i + 1;
    tieTerm += ties ** 3 - ties;
    i = j + 1;
  }
  const rankSumB = all.reduce((sum, item, i) => (item.fromB ? sum + ranks[i]! : sum), 0);
  const u = rankSumB - (n2 * (n2 + 1)) / 2;
  const n = n1 + n2;
  const mean = (n1 * n2) / 2;
  const sd = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  const z = sd === 0 ? 0 : (u - mean) / sd;
  return { u, z, pValue: sd === 0 ? 1 : 2 * (1 - normalCdf(Math.abs(z))), effectSize: (2 * u) / (n1 * n2) - 1 };
}

export interface Line {
  slope: number;
  intercept: number;
  /** Standard error of the slope. */
  slopeStdErr: number;
  r2: number;
  /** Residual standard deviation. */
  residualStd: number;
  n: number;
  meanX: number;
  sxx: number;
}

/** Ordinary least squares y = intercept + slope·x. */
export function fitLine(xs: readonly number[], ys: readonly number[]): Line {
  const n = Math.min(xs.length, ys.length);
  const meanX = xs.slice(0, n).reduce((a, b) => a + b, 0) / n;
  const meanY = ys.slice(0, n).reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (xs[i]! - meanX) ** 2;
    sxy += (xs[i]! - meanX) * (ys[i]! - meanY);
    syy += (ys[i]! - meanY) ** 2;
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  const intercept = meanY - slope * meanX;
  const sse = Math.max(0, syy - slope * sxy);
  const residualStd = n > 2 ? Math.sqrt(sse / (n - 2)) : 0;
  return {
    slope,
    intercept,
    slopeStdErr: sxx === 0 ? Infinity : residualStd / Math.sqrt(sxx),
    r2: syy === 0 ? 1 : 1 - sse / syy,
    residualStd,
    n,
    meanX,
    sxx,
  };
}
