import { AppError } from '@logperf/core';
import { describe, expect, it } from 'vitest';
import { fitUsl, sizeForTarget, uslThroughput, type ScalingPoint } from '../src/usl.js';
import { seededRandom } from './random.js';

const truth = { lambda: 1200, sigma: 0.06, kappa: 0.0008 };

/** Throughput from the law with multiplicative Gaussian noise of `noise` (standard deviation, as a share). */
function synthetic(ns: readonly number[], noise: number, seed: number): ScalingPoint[] {
  const random = seededRandom(seed);
  return ns.map((n) => ({ n, throughput: uslThroughput(truth, n) * (1 + noise * random.gaussian()) }));
}

const within = (actual: number, expected: number, share: number) => Math.abs(actual - expected) / expected <= share;

describe('USL fit', () => {
  it('recovers σ and κ within 10% from data with 5% noise and predicts a held-out point within 10%, for 20 seeds', () => {
    // The design a capacity test can afford: N = 1…64 measured 4 times each; N = 40 is held out of the fit.
    const ns = Array.from({ length: 64 * 4 }, (_, i) => (i % 64) + 1);
    for (let seed = 1; seed <= 20; seed++) {
      const points = synthetic(ns, 0.05, seed);
      const heldOut = points.filter((p) => p.n === 40);
      const fit = fitUsl(points.filter((p) => p.n !== 40));
      expect(within(fit.sigma, truth.sigma, 0.1), `σ ${fit.sigma} (seed ${seed})`).toBe(true);
      expect(within(fit.kappa, truth.kappa, 0.1), `κ ${fit.kappa} (seed ${seed})`).toBe(true);
      const measured = heldOut.reduce((sum, p) => sum + p.throughput, 0) / heldOut.length;
      expect(within(uslThroughput(fit, 40), measured, 0.1), `held-out N = 40 (seed ${seed})`).toBe(true);
      expect(fit.peakN).toBe(Math.floor(Math.sqrt((1 - fit.sigma) / fit.kappa)));
    }
  });

  it('fits noiseless data almost exactly, with high confidence', () => {
    const fit = fitUsl([1, 2, 4, 8, 16, 32, 48].map((n) => ({ n, throughput: uslThroughput(truth, n) })));
    expect(fit.sigma).toBeCloseTo(truth.sigma, 4);
    expect(fit.kappa).toBeCloseTo(truth.kappa, 6);
    expect(fit.lambda).toBeCloseTo(truth.lambda, 1);
    expect(fit.confidence).toBe('high');
    expect(fit.peakN).toBe(34); // ⌊√(0.94 / 0.0008)⌋
  });

  it('finds κ = 0 for linear-with-contention data (no retrograde region)', () => {
    const fit = fitUsl([1, 2, 3, 4, 6, 8].map((n) => ({ n, throughput: (500 * n) / (1 + 0.1 * (n - 1)) })));
    expect(fit.kappa).toBeLessThan(1e-7);
    expect(fit.sigma).toBeCloseTo(0.1, 3);
  });

  it('sizes for a target with 30% headroom, or says it cannot be reached', () => {
    const fit = fitUsl([1, 2, 4, 8, 16, 32].map((n) => ({ n, throughput: uslThroughput(truth, n) })));
    const size = sizeForTarget(fit, 5000);
    expect(size.reachable).toBe(true);
    expect(size.predictedThroughput!).toBeGreaterThanOrEqual(6500);
    expect(uslThroughput(fit, size.n! - 1)).toBeLessThan(6500);
    const beyond = sizeForTarget(fit, fit.peakThroughput);
    expect(beyond.reachable).toBe(false);
    expect(beyond.explanation).toMatch(/peaks at/);
  });

  it('refuses fewer than 4 points, fewer than 3 distinct n and flat data with a 422 saying why', () => {
    const refuse = (points: ScalingPoint[]) => {
      try {
        fitUsl(points);
      } catch (error) {
        expect(error).toBeInstanceOf(AppError);
        expect((error as AppError).status).toBe(422);
        return (error as AppError).message;
      }
      throw new Error('expected a 422');
    };
    expect(
      refuse([
        { n: 1, throughput: 10 },
        { n: 2, throughput: 19 },
        { n: 3, throughput: 27 },
      ]),
    ).toMatch(/at least 4/);
    expect(refuse([1, 1, 2, 2].map((n) => ({ n, throughput: n * 10 })))).toMatch(/distinct/);
    expect(refuse([1, 2, 3, 4].map((n) => ({ n, throughput: 100 })))).toMatch(/same at every n/);
  });
});

describe('growth projection', () => {
  it('projects the measured daily trend with a prediction interval, and needs 3 days', async () => {
    const { projectGrowth } = await import('../src/capacity.js');
    const daily = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => ({
      day: 20_000 + i,
      eventsPerSecond: 1000 + 20 * i + (i % 2 === 0 ? 5 : -5),
    }));
    const growth = projectGrowth(daily, 90);
    if ('available' in growth) throw new Error(growth.reason);
    expect(growth.slopePerDay).toBeCloseTo(20, 0);
    expect(Math.abs(growth.projectedRatePerSecond - (1000 + 20 * 99))).toBeLessThan(50);
    expect(growth.low).toBeLessThan(growth.projectedRatePerSecond);
    expect(growth.high).toBeGreaterThan(growth.projectedRatePerSecond);
    // s ≈ 5.5 over 10 days, extrapolated 90 days: ±t(0.975, 8) · s · √(1 + 1/10 + 94.5²/82.5) ≈ ±132.
    expect((growth.high - growth.low) / 2).toBeGreaterThan(120);
    expect((growth.high - growth.low) / 2).toBeLessThan(145);
    expect(projectGrowth(daily.slice(0, 2))).toMatchObject({ available: false });
  });
});
