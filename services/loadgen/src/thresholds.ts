// Pass/fail per threshold, as k6 does: each names its limit and the measured value.
import type { Thresholds } from './scenarios.js';

export interface ThresholdVerdict {
  name: keyof Thresholds;
  limit: number;
  actual: number;
  passed: boolean;
}

export interface MeasuredForThresholds {
  latencyMs: { p50: number; p95: number; p99: number; p999: number };
  intended: number;
  acknowledged: number;
  errors: number;
  dropped: number;
  achievedRatio: number;
}

export function evaluateThresholds(thresholds: Thresholds, m: MeasuredForThresholds): ThresholdVerdict[] {
  const share = (n: number) => (m.intended > 0 ? n / m.intended : 0);
  const checks: { name: keyof Thresholds; actual: number; atMost: boolean }[] = [
    { name: 'p50Ms', actual: m.latencyMs.p50, atMost: true },
    { name: 'p95Ms', actual: m.latencyMs.p95, atMost: true },
    { name: 'p99Ms', actual: m.latencyMs.p99, atMost: true },
    { name: 'p999Ms', actual: m.latencyMs.p999, atMost: true },
    { name: 'errorRate', actual: share(m.errors), atMost: true },
    { name: 'droppedRate', actual: share(m.dropped), atMost: true },
    { name: 'minAchievedRatio', actual: m.achievedRatio, atMost: false },
  ];
  return checks.flatMap(({ name, actual, atMost }) => {
    const limit = thresholds[name];
    if (limit === undefined) return [];
    return [{ name, limit, actual, passed: atMost ? actual <= limit : actual >= limit }];
  });
}
