// Corrects a test's end-to-end summary (a processor's stored time − the generator's event time) for the two hosts'
// clocks: each contributing processor's offset is measured from this process (the reference clock), the generators'
// offsets are given, and the summary figures move by the weighted offset difference. The HDR histogram itself stays
// as recorded: a shift per event is not possible after the fact.
import {
  clockCorrection,
  measureClockOffset,
  type ClockCorrection,
  type ClockEstimate,
  type LatencySummary,
  type WeightedClock,
} from '@logperf/core';

export interface EndToEndClockOptions {
  /** Share of the corrected p50 the clock bound may reach before the figure is marked untrustworthy. */
  maxUncertaintyShare: number;
  /** The generators' clocks relative to this process; default: one generator in this process (offset 0 ± 0). */
  generators?: readonly WeightedClock[];
  /** How a processor's offset is measured (default: measureClockOffset over HTTP, 8 rounds). */
  measure?: (url: string) => Promise<ClockEstimate>;
}

/** A clock correction that could not be made: the figure stays as recorded. */
export interface ClockUnavailable {
  offsetMs: null;
  uncertaintyMs: null;
  trustworthy: false;
  reason: string;
}

export const THIS_PROCESS: readonly WeightedClock[] = [{ estimate: { offsetMs: 0, uncertaintyMs: 0 }, weight: 1 }];

/** Every figure of the summary less `offsetMs` (the count stays). */
export function shiftSummary(summary: LatencySummary, offsetMs: number): LatencySummary {
  const shift = (ms: number) => ms - offsetMs;
  return {
    count: summary.count,
    minMs: shift(summary.minMs),
    meanMs: shift(summary.meanMs),
    p50: shift(summary.p50),
    p90: shift(summary.p90),
    p95: shift(summary.p95),
    p99: shift(summary.p99),
    p999: shift(summary.p999),
    max: shift(summary.max),
  };
}

/**
 * Measures the processors that stored events (`storedByUrl`, weights) and corrects `raw`. A processor that cannot be
 * measured leaves the figure uncorrected, with the reason.
 */
export async function correctEndToEnd(
  raw: LatencySummary,
  storedByUrl: Readonly<Record<string, number>>,
  options: EndToEndClockOptions,
): Promise<{ latencyMs: LatencySummary; clock: ClockCorrection | ClockUnavailable }> {
  const measure = options.measure ?? ((url: string) => measureClockOffset(url));
  const contributing = Object.entries(storedByUrl).filter(([, stored]) => stored > 0);
  if (contributing.length === 0)
    return { latencyMs: raw, clock: unavailable('no processor stored events of this figure') };
  let late: WeightedClock[];
  try {
    late = await Promise.all(
      contributing.map(async ([url, stored]) => ({ estimate: await measure(url), weight: stored })),
    );
  } catch (error) {
    return {
      latencyMs: raw,
      clock: unavailable(`a processor's clock could not be measured: ${(error as Error).message}`),
    };
  }
  const early = options.generators ?? THIS_PROCESS;
  // The share is judged against the corrected figure: the raw one may be mostly skew.
  const offsetMs = clockCorrection(late, early, raw.p50, options.maxUncertaintyShare).offsetMs;
  const latencyMs = shiftSummary(raw, offsetMs);
  return { latencyMs, clock: clockCorrection(late, early, latencyMs.p50, options.maxUncertaintyShare) };
}

function unavailable(reason: string): ClockUnavailable {
  return { offsetMs: null, uncertaintyMs: null, trustworthy: false, reason };
}
