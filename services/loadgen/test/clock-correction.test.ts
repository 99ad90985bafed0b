// The end-to-end summary's clock correction: shifted by the weighted offset difference, bound and trust reported, and
// left as recorded (with the reason) when a processor cannot be measured.
import type { ClockEstimate, LatencySummary } from '@logperf/core';
import { describe, expect, it } from 'vitest';
import { correctEndToEnd, shiftSummary } from '../src/clock-correction.js';

const raw: LatencySummary = {
  count: 10,
  minMs: 252,
  meanMs: 255,
  p50: 254,
  p90: 258,
  p95: 259,
  p99: 260,
  p999: 261,
  max: 262,
};
const estimate = (offsetMs: number, uncertaintyMs: number): ClockEstimate => ({
  offsetMs,
  uncertaintyMs,
  delayMs: 2 * uncertaintyMs,
  rounds: 8,
  measuredAtMs: 0,
});

describe('correctEndToEnd', () => {
  it('subtracts the processor’s offset less the generator’s from every figure and keeps the count', async () => {
    const { latencyMs, clock } = await correctEndToEnd(
      raw,
      { 'http://p': 10 },
      {
        maxUncertaintyShare: 0.1,
        measure: async () => estimate(250, 0.2),
        generators: [{ estimate: { offsetMs: 0, uncertaintyMs: 0.1 }, weight: 1 }],
      },
    );
    expect(latencyMs).toEqual(shiftSummary(raw, 250));
    expect(latencyMs.p50).toBeCloseTo(4, 9);
    expect(latencyMs.count).toBe(10);
    expect(clock).toMatchObject({ offsetMs: 250, trustworthy: true, reason: null });
    expect(clock.uncertaintyMs).toBeCloseTo(0.3, 9);
  });

  it('marks the figure untrustworthy against the corrected p50, not the skewed one', async () => {
    const { clock } = await correctEndToEnd(
      raw,
      { 'http://p': 10 },
      {
        maxUncertaintyShare: 0.1,
        measure: async () => estimate(250, 1),
      },
    );
    // 1 ms of 4 ms is 25%: over 10%, though it is well under 10% of the raw 254 ms.
    expect(clock.trustworthy).toBe(false);
    expect(clock.reason).toMatch(/exceeds 10% of the figure \(4\.000 ms\)/);
  });

  it('weights processors by the events each stored and skips those that stored none', async () => {
    const measured: string[] = [];
    const { clock } = await correctEndToEnd(
      raw,
      { 'http://a': 3, 'http://b': 1, 'http://idle': 0 },
      {
        maxUncertaintyShare: 1,
        measure: async (url) => (measured.push(url), estimate(url === 'http://a' ? 248 : 252, 0.1)),
      },
    );
    expect(measured.sort()).toEqual(['http://a', 'http://b']);
    expect(clock.offsetMs).toBeCloseTo(249, 9);
  });

  it('leaves the figure as recorded, with the reason, when a processor cannot be measured', async () => {
    const result = await correctEndToEnd(
      raw,
      { 'http://p': 1 },
      {
        maxUncertaintyShare: 0.1,
        measure: async () => {
          throw new Error('connection refused');
        },
      },
    );
    expect(result.latencyMs).toBe(raw);
    expect(result.clock).toEqual({
      offsetMs: null,
      uncertaintyMs: null,
      trustworthy: false,
      reason: "a processor's clock could not be measured: connection refused",
    });
  });
});
