// Capacity planning: scaling points from stored tests (concurrency by Little's law, N = X·R), the USL fit and the
// size for a target, and the growth of the cluster's traffic projected from its measured daily trend.
import type { RunData } from './run-data.js';
import { fitLine } from '@logperf/core';
import { studentTwoSidedP } from './statistics.js';
import { fitUsl, sizeForTarget, type ScalingPoint, type SizeForTarget, type UslFit } from './usl.js';

export const HEADROOM = 0.3;
const INTERVAL_SECONDS = 5;

/**
 * One point per 5-second interval of each run: throughput X (acknowledged events/s) and concurrency N = X · R, with R
 * the mean corrected latency in seconds, the events in flight that Little's law says the system held.
 */
export function scalingPointsFrom(runs: readonly RunData[], warmupSeconds = 2): ScalingPoint[] {
  return runs.flatMap((run) => {
    const buckets = new Map<number, { acknowledged: number; latencySum: number; count: number }>();
    for (const s of run.seconds) {
      if (s.second < warmupSeconds || s.latencyMs.count === 0) continue;
      const key = Math.floor(s.second / INTERVAL_SECONDS);
      const b = buckets.get(key) ?? { acknowledged: 0, latencySum: 0, count: 0 };
      b.acknowledged += s.acknowledged;
      b.latencySum += (s.latencyMs.meanMs ?? s.latencyMs.p50) * s.latencyMs.count;
      b.count += s.latencyMs.count;
      buckets.set(key, b);
    }
    return [...buckets.values()].flatMap((b) => {
      const throughput = b.acknowledged / INTERVAL_SECONDS;
      const n = throughput * (b.latencySum / b.count / 1000);
      return throughput > 0 && n > 0 ? [{ n, throughput }] : [];
    });
  });
}

export interface CapacityPlan {
  unit: 'nodes' | 'concurrency';
  fit: UslFit;
  size: SizeForTarget | null;
  /** For a concurrency fit: the nodes a target needs if each added node brings the measured peak (a linear estimate). */
  nodesEstimate: { nodes: number; currentNodes: number; explanation: string } | null;
}

export function planCapacity(
  points: readonly ScalingPoint[],
  unit: CapacityPlan['unit'],
  targetRatePerSecond: number | undefined,
  currentNodes = 1,
): CapacityPlan {
  const fit = fitUsl(points);
  const size = targetRatePerSecond === undefined ? null : sizeForTarget(fit, targetRatePerSecond, HEADROOM);
  let nodesEstimate: CapacityPlan['nodesEstimate'] = null;
  if (unit === 'concurrency' && targetRatePerSecond !== undefined && Number.isFinite(fit.peakThroughput)) {
    const perNode = fit.peakThroughput / Math.max(1, currentNodes);
    const nodes = Math.max(1, Math.ceil((targetRatePerSecond * (1 + HEADROOM)) / perNode));
    nodesEstimate = {
      nodes,
      currentNodes,
      explanation: `the measured deployment (${currentNodes} processor node(s)) peaks at ${Math.round(fit.peakThroughput)}/s; ${nodes} node(s) cover ${Math.round(targetRatePerSecond)}/s + ${HEADROOM * 100}% if nodes add capacity linearly — measure at 2 and 3 nodes (POST points with n = nodes) for a node-level fit`,
    };
  }
  return { unit, fit, size, nodesEstimate };
}

/** The t value with two-sided tail probability `p` (bisection on the exact CDF). */
function tQuantile(p: number, df: number): number {
  let lo = 0;
  let hi = 1000;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (studentTwoSidedP(mid, df) > p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

export interface GrowthProjection {
  days: number;
  /** Change of the mean daily rate, events/s per day. */
  slopePerDay: number;
  currentRatePerSecond: number;
  horizonDays: number;
  projectedRatePerSecond: number;
  /** 95% prediction interval of the projected rate. */
  low: number;
  high: number;
  r2: number;
}

/** Linear trend of the mean daily rate; a projection needs at least 3 measured days. */
export function projectGrowth(
  daily: readonly { day: number; eventsPerSecond: number }[],
  horizonDays = 90,
): GrowthProjection | { available: false; reason: string } {
  if (daily.length < 3)
    return { available: false, reason: `${daily.length} day(s) of monitor history; a trend needs at least 3` };
  const line = fitLine(
    daily.map((d) => d.day),
    daily.map((d) => d.eventsPerSecond),
  );
  const lastDay = daily.at(-1)!.day;
  const x0 = lastDay + horizonDays;
  const projected = line.intercept + line.slope * x0;
  const t = tQuantile(0.05, line.n - 2);
  const margin = t * line.residualStd * Math.sqrt(1 + 1 / line.n + (x0 - line.meanX) ** 2 / line.sxx);
  return {
    days: daily.length,
    slopePerDay: line.slope,
    currentRatePerSecond: line.intercept + line.slope * lastDay,
    horizonDays,
    projectedRatePerSecond: Math.max(0, projected),
    low: Math.max(0, projected - margin),
    high: projected + margin,
    r2: line.r2,
  };
}
