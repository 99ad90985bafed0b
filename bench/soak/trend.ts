// Growth trends for a soak: a least-squares line through (time, value) samples after warm-up, in units per hour, and a verdict.
import { fitLine } from '@logperf/core';

export interface Sample {
  atMs: number;
  value: number;
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

/** The one least-squares fit, over (time, value) samples: slope in units per millisecond. */
const fitSamples = (samples: readonly Sample[]) =>
  fitLine(
    samples.map((s) => s.atMs),
    samples.map((s) => s.value),
  );

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
  const fit = fitSamples(kept);
  const envelope = lowerEnvelope(kept, options.envelopeWindow ?? 5);
  const floor = envelope.length >= 2 ? fitSamples(envelope) : fit;
  const growthPerHour = fit.slope * HOUR_MS;
  const floorGrowthPerHour = floor.slope * HOUR_MS;
  const values = kept.map((s) => s.value);
  return {
    growthPerHour,
    floorGrowthPerHour,
    r2: kept.length < 2 ? 0 : fit.r2,
    samples: kept.length,
    first: values[0] ?? Number.NaN,
    last: values.at(-1) ?? Number.NaN,
    max: values.length > 0 ? Math.max(...values) : Number.NaN,
    bound: options.maxGrowthPerHour,
    verdict: kept.length < 5 ? 'too-few-samples' : floorGrowthPerHour > options.maxGrowthPerHour ? 'growing' : 'flat',
  };
}
