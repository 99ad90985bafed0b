// The one regression rule both the analyzer's run comparison and the monitor's baseline report use: a change needs
// p < 0.01 AND a move of at least 10 % of the median; direction decides regressed vs improved.
import { describe, expect, it } from 'vitest';
import { judgeChange } from '@logperf/core';

/** 30 per-second values around `center`, ±5 % in a fixed pattern (no randomness: the verdicts are exact). */
const series = (center: number) => Array.from({ length: 30 }, (_, i) => center * (1 + (((i * 7) % 11) - 5) / 100));

describe('the shared regression rule', () => {
  it('a 20 % higher latency median with p < 0.01 is a regression, a 20 % lower one an improvement', () => {
    const slower = judgeChange(series(100), series(120), { higherIsBetter: false })!;
    expect(slower.verdict).toBe('regressed');
    expect(slower.pValue).toBeLessThan(0.01);
    expect(slower.baseline).toBe(100);
    expect(slower.relativeChange).toBeCloseTo(0.2, 10);
    expect(judgeChange(series(100), series(80), { higherIsBetter: false })!.verdict).toBe('improved');
    // For throughput, higher is better: the same drop is a regression.
    expect(judgeChange(series(100), series(80), { higherIsBetter: true })!.verdict).toBe('regressed');
  });

  it('a significant change under 10 % of the median is unchanged (the old monitor rule, ≥ 5 % of the mean, said changed)', () => {
    const small = judgeChange(series(100), series(107), { higherIsBetter: false })!;
    expect(small.pValue).toBeLessThan(0.01);
    expect(small.verdict).toBe('unchanged');
    expect(small.reason).toMatch(/under the 10% that matters/);
  });

  it('the same system (A/A) is unchanged, and fewer than 3 values on a side are not judged', () => {
    const same = judgeChange(series(100), series(100), { higherIsBetter: false })!;
    expect(same.verdict).toBe('unchanged');
    expect(same.pValue).toBeGreaterThan(0.5);
    expect(judgeChange([1, 2], series(100), { higherIsBetter: false })).toBeUndefined();
  });
});
