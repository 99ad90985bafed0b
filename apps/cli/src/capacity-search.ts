// The capacity search as pure logic: the verdict on one measured step, and a bounded binary search over steps
// (step outcomes come from a function, so tests feed fake ones and the command feeds real load tests).
import { fitLine } from '@logperf/core';

export interface StepCriteria {
  /** Corrected (from intended send time) p99 at most this. */
  maxP99Ms: number;
  /** Achieved rate over intended rate at least this (0–1). */
  minAchievedRatio: number;
  /** Consumer lag may grow by at most this share of the rate per second (0.02 = 2 % of the rate, each second). */
  maxLagGrowthShare: number;
}

export const DEFAULT_CRITERIA: StepCriteria = { maxP99Ms: 500, minAchievedRatio: 0.95, maxLagGrowthShare: 0.02 };

/** What one step measured; `null` where the figure could not be read (then it is not judged, and the reasons say so). */
export interface StepMeasurement {
  ratePerSecond: number;
  durationSeconds: number;
  intended: number;
  acknowledged: number;
  achievedRatePerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  /** Errors by kind as the generator counts them (http_503, timeout, …). */
  errorKinds: Record<string, number>;
  dropped: number;
  /** Events stored during the step and its bounded drain. */
  stored: number | null;
  /** Consumer lag (acknowledged − stored since the step began) sampled once a second: [second, events]. */
  lagSamples: [number, number][];
}

export interface StepVerdict extends StepMeasurement {
  kind: 'step' | 'confirm';
  lagSlopePerSecond: number | null;
  lagEndEvents: number | null;
  lost: number | null;
  passed: boolean;
  /** Why the step failed, or which criteria could not be judged. */
  reasons: string[];
}

/** Least-squares slope of lag over time (events per second); null with fewer than 3 samples. */
export function lagSlope(samples: readonly [number, number][]): number | null {
  if (samples.length < 3) return null;
  return fitLine(
    samples.map(([t]) => t),
    samples.map(([, lag]) => lag),
  ).slope;
}

export function judgeStep(m: StepMeasurement, kind: 'step' | 'confirm', c: StepCriteria): StepVerdict {
  const reasons: string[] = [];
  const slope = lagSlope(m.lagSamples);
  const lost = m.stored === null ? null : Math.max(0, m.acknowledged - m.stored);
  const achievedRatio = m.ratePerSecond > 0 ? m.achievedRatePerSecond / m.ratePerSecond : 0;
  if (m.p99Ms > c.maxP99Ms) reasons.push(`p99 ${m.p99Ms.toFixed(0)} ms > ${c.maxP99Ms} ms`);
  if (achievedRatio < c.minAchievedRatio)
    reasons.push(
      `achieved ${(achievedRatio * 100).toFixed(1)} % of intended < ${(c.minAchievedRatio * 100).toFixed(0)} %`,
    );
  if (m.errors > 0)
    reasons.push(
      `${m.errors} refused or failed (${Object.entries(m.errorKinds)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')})`,
    );
  if (m.dropped > 0) reasons.push(`${m.dropped} dropped by the generator`);
  if (slope === null) reasons.push('lag not judged (no processor counts)');
  else if (slope > c.maxLagGrowthShare * m.ratePerSecond)
    reasons.push(
      `lag growing ${slope.toFixed(0)} events/s per s > ${(c.maxLagGrowthShare * m.ratePerSecond).toFixed(0)}`,
    );
  if (lost === null) reasons.push('loss not judged (no processor counts)');
  else if (lost > 0) reasons.push(`${lost} acknowledged events not stored after the drain`);
  const judged = (r: string) => !r.includes('not judged');
  return {
    ...m,
    kind,
    lagSlopePerSecond: slope,
    lagEndEvents: m.lagSamples.at(-1)?.[1] ?? null,
    lost,
    passed: !reasons.some(judged),
    reasons,
  };
}

export interface SearchOptions {
  lowPerSecond: number;
  highPerSecond: number;
  /** Stop bisecting once the bracket is at most this wide (events/s). */
  resolutionPerSecond: number;
  /** Every step counts, confirmations included. */
  maxSteps: number;
}

export interface CapacityResult {
  /** Highest rate that passed; null when even the low bound failed (or its confirmation did). */
  maxSustainablePerSecond: number | null;
  /** The confirmation step at that rate passed too. */
  confirmed: boolean;
  /** Lowest rate that failed, if one did. */
  firstFailingPerSecond: number | null;
  stoppedBy: 'resolution' | 'max-steps' | 'time' | 'low-bound-failed' | 'high-bound-passed';
  steps: StepVerdict[];
}

export type RunStep = (ratePerSecond: number, kind: 'step' | 'confirm') => Promise<StepVerdict>;

const roundRate = (rate: number, resolution: number) => {
  const grain = resolution >= 100 ? 10 : 1;
  return Math.round(rate / grain) * grain;
};

/**
 * Low bound, high bound, then bisection until the bracket is within the resolution, then one confirmation at the
 * highest passing rate. A failed confirmation lowers the bracket's top to that rate and the search goes on below it.
 * `outOfTime` is asked before each step; one step is always kept for the confirmation.
 */
export async function searchCapacity(
  runStep: RunStep,
  options: SearchOptions,
  outOfTime: () => boolean = () => false,
): Promise<CapacityResult> {
  const steps: StepVerdict[] = [];
  const passes: number[] = [];
  const run = async (rate: number, kind: 'step' | 'confirm') => {
    const verdict = await runStep(rate, kind);
    steps.push(verdict);
    if (verdict.passed && kind === 'step') passes.push(rate);
    return verdict.passed;
  };
  const done = (
    lo: number | null,
    hi: number | null,
    confirmed: boolean,
    stoppedBy: CapacityResult['stoppedBy'],
  ): CapacityResult => ({ maxSustainablePerSecond: lo, confirmed, firstFailingPerSecond: hi, stoppedBy, steps });

  if (!(await run(options.lowPerSecond, 'step'))) return done(null, options.lowPerSecond, false, 'low-bound-failed');
  let lo = options.lowPerSecond;
  let hi: number | null = null;
  let stoppedBy: CapacityResult['stoppedBy'] = 'resolution';
  if (steps.length < options.maxSteps - 1 && !outOfTime()) {
    if (await run(options.highPerSecond, 'step')) {
      lo = options.highPerSecond;
      stoppedBy = 'high-bound-passed';
    } else hi = options.highPerSecond;
  }
  for (;;) {
    while (hi !== null && hi - lo > options.resolutionPerSecond) {
      if (steps.length >= options.maxSteps - 1) {
        stoppedBy = 'max-steps';
        break;
      }
      if (outOfTime()) {
        stoppedBy = 'time';
        break;
      }
      const mid = roundRate((lo + hi) / 2, options.resolutionPerSecond);
      if (mid <= lo || mid >= hi) break;
      if (await run(mid, 'step')) lo = mid;
      else hi = mid;
    }
    if (steps.length >= options.maxSteps || outOfTime())
      return done(lo, hi, false, steps.length >= options.maxSteps ? 'max-steps' : 'time');
    if (await run(lo, 'confirm')) return done(lo, hi, true, stoppedBy);
    hi = lo;
    const below = passes.filter((p) => p < lo);
    if (below.length === 0) return done(null, hi, false, stoppedBy);
    lo = Math.max(...below);
  }
}
