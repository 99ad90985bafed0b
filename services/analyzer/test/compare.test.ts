import { describe, expect, it } from 'vitest';
import { compareRuns } from '../src/compare.js';
import { seededRandom } from './random.js';
import { syntheticRun } from './runs.js';

/** A run at a steady rate whose per-second median latency wanders ±5% around `medianMs`. */
function steadyRun(testId: string, medianMs: number, seed: number) {
  const wander = seededRandom(seed + 1000);
  const medians = Array.from({ length: 30 }, () => medianMs * (1 + 0.05 * wander.gaussian()));
  return syntheticRun({ testId, seconds: 30, rate: () => 2000, latencyMs: (s) => medians[s]!, seed });
}

describe('regression verdicts', () => {
  it('A/A: two runs of the same system come out unchanged on every metric', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const comparison = compareRuns(steadyRun('a', 20, seed), steadyRun('b', 20, seed + 50));
      expect(comparison.verdict, JSON.stringify(comparison.metrics.filter((m) => m.verdict !== 'unchanged'))).toBe(
        'unchanged',
      );
      expect(comparison.metrics.map((m) => m.metric)).toEqual(
        expect.arrayContaining([
          'request latency p50',
          'request latency p99',
          'throughput',
          'error rate',
          'end-to-end latency p95',
        ]),
      );
    }
  });

  it('a 20% latency regression is found with p < 0.01, named and sized', () => {
    const comparison = compareRuns(steadyRun('base', 20, 1), steadyRun('slow', 24, 2));
    expect(comparison.verdict).toBe('regressed');
    const p50 = comparison.metrics.find((m) => m.metric === 'request latency p50')!;
    expect(p50.verdict).toBe('regressed');
    expect(p50.pValue).toBeLessThan(0.01);
    expect(p50.relativeChange!).toBeGreaterThan(0.12);
    expect(p50.relativeChange!).toBeLessThan(0.28);
    expect(p50.effectSize).toBeGreaterThan(0.5);
    expect(comparison.metrics.find((m) => m.metric === 'throughput')!.verdict).toBe('unchanged');
  });

  it('faster is improved, and a significant but tiny change stays unchanged', () => {
    expect(compareRuns(steadyRun('base', 20, 1), steadyRun('fast', 14, 2)).verdict).toBe('improved');
    const tiny = compareRuns(steadyRun('base', 20, 1), steadyRun('tiny', 20.8, 2), { minRelativeChange: 0.1 });
    expect(tiny.verdict).toBe('unchanged');
  });

  it('lower throughput and more errors are regressions', () => {
    const base = steadyRun('base', 20, 1);
    const lower = syntheticRun({ testId: 'lower', seconds: 30, rate: () => 1500, latencyMs: () => 20, seed: 2 });
    expect(compareRuns(base, lower).metrics.find((m) => m.metric === 'throughput')!.verdict).toBe('regressed');
    const failing = steadyRun('failing', 20, 3);
    for (const s of failing.seconds) [s.acknowledged, s.errors] = [1900, 100];
    expect(compareRuns(base, failing).metrics.find((m) => m.metric === 'error rate')!.verdict).toBe('regressed');
  });
});
