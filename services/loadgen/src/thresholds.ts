// Pass/fail per threshold, as k6 does: each names its limit and the measured value. Limits apply to the whole test
// and per phase (`phases: {burst: {p95Ms: 200}}`); corrected request latency and end-to-end latency have their own keys.
// Errors and drops fail a test by default: a request loosens that only by giving errorRate/droppedRate itself.
import type { ThresholdVerdict } from '@logperf/measurements';
import { z } from 'zod';

const ms = z.number().positive().max(3_600_000);
const share = z.number().min(0).max(1);

/** Limits one phase, or the whole test, can have. */
const requestLimits = {
  /** Corrected (from the intended send time) request latency percentiles, ms. */
  p50Ms: ms.optional(),
  p95Ms: ms.optional(),
  p99Ms: ms.optional(),
  p999Ms: ms.optional(),
  /** Errors over intended events, 0–1 (default 0 for the whole test). */
  errorRate: share.optional(),
  /** Dropped over intended events, 0–1 (default 0 for the whole test). */
  droppedRate: share.optional(),
  /** Acknowledged rate over intended rate, 0–1. */
  minAchievedRatio: share.optional(),
};

export const phaseThresholdsSchema = z.strictObject(requestLimits);

export const thresholdsSchema = z.strictObject({
  ...requestLimits,
  /** End-to-end (event timestamp → stored) percentiles from the processors, ms; a test without that figure fails them. */
  endToEndP50Ms: ms.optional(),
  endToEndP95Ms: ms.optional(),
  endToEndP99Ms: ms.optional(),
  /** Limits per phase by name (burst: baseline, burst, recovery; ramp: ramp, hold). */
  phases: z.record(z.string().max(64), phaseThresholdsSchema).optional(),
});
export type Thresholds = z.output<typeof thresholdsSchema>;
type Limits = z.output<typeof phaseThresholdsSchema>;

/** Limits that hold unless the request sets the key itself. */
export const DEFAULT_THRESHOLDS = { errorRate: 0, droppedRate: 0 } as const;

/** Phase names a request's `phases` may use; the request is refused when it names another. */
export const unknownPhases = (t: Thresholds, phases: readonly string[]) =>
  Object.keys(t.phases ?? {}).filter((name) => !phases.includes(name));

export type { ThresholdVerdict } from '@logperf/measurements';

export interface Measured {
  latencyMs: { p50: number; p95: number; p99: number; p999: number };
  intended: number;
  errors: number;
  dropped: number;
  achievedRatio: number;
}

export interface MeasuredForThresholds extends Measured {
  phases: Record<string, Measured>;
  /** Null when the end-to-end latency is unknown, with the reason. */
  endToEndMs: { p50: number; p95: number; p99: number } | { unknown: string };
}

function check(prefix: string, limits: Limits, m: Measured, defaults: Limits): ThresholdVerdict[] {
  const rate = (n: number) => (m.intended > 0 ? n / m.intended : 0);
  const checks: [keyof Limits, number, boolean][] = [
    ['p50Ms', m.latencyMs.p50, true],
    ['p95Ms', m.latencyMs.p95, true],
    ['p99Ms', m.latencyMs.p99, true],
    ['p999Ms', m.latencyMs.p999, true],
    ['errorRate', rate(m.errors), true],
    ['droppedRate', rate(m.dropped), true],
    ['minAchievedRatio', m.achievedRatio, false],
  ];
  return checks.flatMap(([key, actual, atMost]) => {
    const limit = limits[key] ?? defaults[key];
    if (limit === undefined) return [];
    const source = limits[key] === undefined ? ('default' as const) : ('request' as const);
    return [{ name: `${prefix}${key}`, limit, actual, passed: atMost ? actual <= limit : actual >= limit, source }];
  });
}

export function evaluateThresholds(thresholds: Thresholds, m: MeasuredForThresholds): ThresholdVerdict[] {
  const verdicts = check('', thresholds, m, DEFAULT_THRESHOLDS);
  for (const [phase, limits] of Object.entries(thresholds.phases ?? {})) {
    const measured = m.phases[phase];
    if (measured) verdicts.push(...check(`phases.${phase}.`, limits, measured, {}));
  }
  const endToEnd: [keyof Thresholds & `endToEnd${string}`, 'p50' | 'p95' | 'p99'][] = [
    ['endToEndP50Ms', 'p50'],
    ['endToEndP95Ms', 'p95'],
    ['endToEndP99Ms', 'p99'],
  ];
  for (const [key, percentile] of endToEnd) {
    const limit = thresholds[key];
    if (limit === undefined) continue;
    if ('unknown' in m.endToEndMs)
      verdicts.push({ name: key, limit, actual: null, passed: false, source: 'request', reason: m.endToEndMs.unknown });
    else {
      const actual = m.endToEndMs[percentile];
      verdicts.push({ name: key, limit, actual, passed: actual <= limit, source: 'request' });
    }
  }
  return verdicts;
}
