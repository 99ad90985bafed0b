import { describe, expect, it } from 'vitest';
import { fitLine, mannWhitneyU, normalCdf, summarise } from '@logperf/core';

describe('statistics', () => {
  it('least squares recovers a line and its fit', () => {
    const line = fitLine([0, 1, 2, 3, 4], [1, 3, 5, 7, 9]);
    expect(line.slope).toBeCloseTo(2, 12);
    expect(line.intercept).toBeCloseTo(1, 12);
    expect(line.r2).toBeCloseTo(1, 12);
  });

  it('summarises a series', () => {
    expect(summarise([2, 4, 4, 4, 5, 5, 7, 9])).toEqual({
      count: 8,
      mean: 5,
      stddev: Math.sqrt(32 / 7),
      min: 2,
      max: 9,
    });
  });

  it('normal CDF matches tables', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 6);
    expect(normalCdf(1.96)).toBeCloseTo(0.975, 3);
    expect(normalCdf(-2.576)).toBeCloseTo(0.005, 3);
  });

  it('Mann-Whitney U: a worked example', () => {
    const test = mannWhitneyU([19, 22, 16, 29, 24], [20, 11, 17, 12])!;
    // Ranks of b in the joint order are 6, 1, 4, 2: U = 13 − 4·5/2 = 3 (b tends to be smaller).
    expect(test.u).toBe(3);
    expect(test.effectSize).toBeCloseTo((2 * 3) / 20 - 1, 10);
    expect(test.pValue).toBeGreaterThan(0.05);
  });

  it('finds a 20% shift in 60 samples significant and an identical series not', () => {
    const base = Array.from({ length: 60 }, (_, i) => 100 + ((i * 37) % 11));
    const shifted = base.map((v) => v * 1.2);
    expect(mannWhitneyU(base, shifted)!.pValue).toBeLessThan(0.01);
    expect(mannWhitneyU(base, shifted)!.effectSize).toBeGreaterThan(0.9);
    expect(mannWhitneyU(base, [...base])!.pValue).toBeGreaterThan(0.9);
    expect(mannWhitneyU([1, 2], [3, 4, 5])).toBeUndefined();
  });
});
