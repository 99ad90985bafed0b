import { LatencyHistogram } from '@logperf/core';
import { describe, expect, it } from 'vitest';
import { componentLatency } from '../src/run-data.js';
import {
  changePoint,
  outliers,
  spread,
  steadyState,
  studentTwoSidedP,
  throughputPerInterval,
  welchT,
} from '../src/statistics.js';
import { seededRandom } from './random.js';
import { syntheticRun } from './runs.js';

describe('statistics on fixed data', () => {
  it('spread: mean, sample standard deviation and coefficient of variation', () => {
    const s = spread([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(s.mean).toBe(5);
    expect(s.stddev).toBeCloseTo(2.138, 3);
    expect(s.cv).toBeCloseTo(0.4276, 4);
  });

  it('merges HDR histograms before taking percentiles (never averages percentiles), decoding each second once', () => {
    const fast = LatencyHistogram.create();
    const slow = LatencyHistogram.create();
    for (let i = 1; i <= 900; i++) fast.recordMs(i / 100); // 0.01 … 9 ms
    for (let i = 1; i <= 100; i++) slow.recordMs(100 + i); // 101 … 200 ms
    const run = syntheticRun({ testId: 'two', seconds: 2, rate: () => 1, latencyMs: () => 1, seed: 1 });
    run.history.forEach((row, i) => (row.latency = { 'end-to-end': (i === 0 ? fast : slow).encode() }));
    const { merged, seconds } = componentLatency(run, 'end-to-end');
    expect(merged!.count).toBe(1000);
    expect(merged!.p50).toBeCloseTo(5, 1);
    expect(merged!.p95).toBeCloseTo(150, 0);
    expect(merged!.p99).toBeCloseTo(190, 0);
    expect(seconds.map((s) => [s.second, s.count])).toEqual([
      [0, 900],
      [1, 100],
    ]);
    expect(seconds[1]!.p50).toBeCloseTo(150, 0);
    expect(componentLatency(run, 'end-to-end')).toBe(componentLatency(run, 'end-to-end'));
    expect(componentLatency(run, 'store')).toEqual({ seconds: [], merged: null });
  });

  it('throughput per interval sums counts and divides by the interval', () => {
    const perSecond = Array.from({ length: 25 }, (_, second) => ({ second, count: second < 10 ? 100 : 300 }));
    expect(throughputPerInterval(perSecond, 10)).toEqual([
      { startSecond: 0, perSecond: 100 },
      { startSecond: 10, perSecond: 300 },
      { startSecond: 20, perSecond: 150 },
    ]);
  });

  it('steady state: a flat noisy series is steady, a drifting or jumpy one is not', () => {
    const random = seededRandom(7);
    const flat = Array.from({ length: 60 }, () => 1000 * (1 + 0.02 * random.gaussian()));
    expect(steadyState(flat).steady).toBe(true);
    const drifting = flat.map((v, i) => v + i * 10);
    const verdict = steadyState(drifting);
    expect(verdict.steady).toBe(false);
    expect(verdict.reason).toMatch(/drifts|varies/);
    expect(steadyState([1000, 200, 1000, 200, 1000, 200, 1000, 200]).reason).toMatch(/varies too much/);
    expect(steadyState([1, 2, 3]).steady).toBe(false);
  });

  it('outliers by modified z-score', () => {
    expect(outliers([10, 11, 9, 10, 12, 10, 95, 11, 9, 10])).toEqual([6]);
    expect(outliers([5, 5, 5, 5])).toEqual([]);
  });

  it("Student's t: known two-sided p-values", () => {
    expect(studentTwoSidedP(2.228, 10)).toBeCloseTo(0.05, 3);
    expect(studentTwoSidedP(2.576, 1e6)).toBeCloseTo(0.01, 3);
    expect(studentTwoSidedP(0, 5)).toBeCloseTo(1, 10);
    expect(studentTwoSidedP(12.706, 1)).toBeCloseTo(0.05, 3);
  });

  it("Welch's t-test separates shifted samples and not equal ones", () => {
    const random = seededRandom(3);
    const a = Array.from({ length: 30 }, () => 10 + random.gaussian());
    const b = Array.from({ length: 30 }, () => 12 + random.gaussian());
    expect(welchT(a, b)!.pValue).toBeLessThan(1e-6);
    expect(
      welchT(
        a,
        a.map((v) => v + 0),
      )!.pValue,
    ).toBeCloseTo(1, 6);
  });

  it('change point: finds where a series shifted, and nothing in a flat series', () => {
    const random = seededRandom(11);
    const series = Array.from({ length: 80 }, (_, i) => (i < 47 ? 20 : 30) + random.gaussian());
    const change = changePoint(series);
    expect(change).toBeDefined();
    expect(Math.abs(change!.index - 47)).toBeLessThanOrEqual(1);
    expect(change!.before).toBeCloseTo(20, 0);
    expect(change!.after).toBeCloseTo(30, 0);
    expect(change!.pValue).toBeLessThan(0.01);
    expect(changePoint(Array.from({ length: 80 }, () => 20 + random.gaussian()))).toBeUndefined();
  });
});

describe('change point shapes', () => {
  it('a ramp is dated where it began, not in its middle', () => {
    const random = seededRandom(5);
    const series = Array.from({ length: 60 }, (_, i) => 10 + (i < 30 ? 0 : (i - 30) * 2) + 0.5 * random.gaussian());
    const change = changePoint(series)!;
    expect(change.shape).toBe('ramp');
    expect(Math.abs(change.index - 30)).toBeLessThanOrEqual(2);
  });
});
