// Growth trends for a soak: a least-squares line through (time, value) samples after warm-up, in units per hour, and a verdict.
export interface Sample {
  atMs: number;
  value: number;
}

export interface LineFit {
  /** Units per millisecond. */
  slope: number;
  intercept: number;
  /** Share of the variance the line explains, 0–1 (0 for a flat series). */
  r2: number;
  n: number;
}

export interface Trend {
  /** Least-squares growth over the samples after warm-up, units per hour. */
  growthPerHour: number;
  /** The same through the lower envelope (the minimum of each window), which ignores a garbage collector's sawtooth. */
  floorGrowthPerHour: number;
  r2: number;
  samples: number;
  first: number;
  last: number;
  max: number;
  bound: number;
  /** `growing` when the floor rises faster than the bound; `too-few-samples` below 5 samples after warm-up. */
  verdict: 'flat' | 'growing' | 'too-few-samples';
}

const HOUR_MS = 3_600_000;

export function fitLine(samples: readonly Sample[]): LineFit {
  const n = samples.length;
  if (n < 2) return { slope: 0, intercept: samples[0]?.value ?? 0, r2: 0, n };
  const meanX = samples.reduce((s, p) => s + p.atMs, 0) / n;
  const meanY = samples.reduce((s, p) => s + p.value, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (const p of samples) {
    sxy += (p.atMs - meanX) * (p.value - meanY);
    sxx += (p.atMs - meanX) ** 2;
    syy += (p.value - meanY) ** 2;
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  return { slope, intercept: meanY - slope * meanX, r2: sxx === 0 || syy === 0 ? 0 : (sxy * sxy) / (sxx * syy), n };
}

/** Minimum of each run of `window` consecutive samples, stamped at the run's middle. */
export function lowerEnvelope(samples: readonly Sample[], window: number): Sample[] {
  const out: Sample[] = [];
  for (let i = 0; i + window <= samples.length; i += window) {
    const run = samples.slice(i, i + window);
    out.push({ atMs: run[Math.floor(window / 2)]!.atMs, value: Math.min(...run.map((s) => s.value)) });
  }
  return out;
}

/** Fits the samples taken after `warmupMs` (from the first sample) and compares the growth of the floor with `maxGrowthPerHour`. */
export function trend(
  samples: readonly Sample[],
  options: { warmupMs: number; maxGrowthPerHour: number; envelopeWindow?: number },
): Trend {
  const start = samples[0]?.atMs ?? 0;
  const kept = samples.filter((s) => s.atMs - start >= options.warmupMs);
  const fit = fitLine(kept);
  const envelope = lowerEnvelope(kept, options.envelopeWindow ?? 5);
  const floor = envelope.length >= 2 ? fitLine(envelope) : fit;
  const growthPerHour = fit.slope * HOUR_MS;
  const floorGrowthPerHour = floor.slope * HOUR_MS;
  const values = kept.map((s) => s.value);
  return {
    growthPerHour,
    floorGrowthPerHour,
    r2: fit.r2,
    samples: kept.length,
    first: values[0] ?? Number.NaN,
    last: values.at(-1) ?? Number.NaN,
    max: values.length > 0 ? Math.max(...values) : Number.NaN,
    bound: options.maxGrowthPerHour,
    verdict: kept.length < 5 ? 'too-few-samples' : floorGrowthPerHour > options.maxGrowthPerHour ? 'growing' : 'flat',
  };
}
