// Thresholds: errors and drops fail a test unless the request loosens them; limits per phase; end-to-end limits fail
// on an unknown figure; a request naming a phase the scenario lacks is refused.
import { describe, expect, it } from 'vitest';
import { burstRequestSchema, rampRequestSchema } from '../src/scenarios.js';
import { evaluateThresholds, type Measured, type MeasuredForThresholds } from '../src/thresholds.js';

const phase = (p95: number, errors = 0, dropped = 0): Measured => ({
  latencyMs: { p50: p95 / 2, p95, p99: p95 * 1.5, p999: p95 * 2 },
  intended: 1000,
  errors,
  dropped,
  achievedRatio: 1,
});
const measured = (overrides: Partial<MeasuredForThresholds> = {}): MeasuredForThresholds => ({
  ...phase(80),
  phases: { baseline: phase(60), burst: phase(180), recovery: phase(70) },
  endToEndMs: { p50: 20, p95: 40, p99: 90 },
  ...overrides,
});
const failed = (v: ReturnType<typeof evaluateThresholds>) => v.filter((t) => !t.passed).map((t) => t.name);

describe('thresholds', () => {
  it('fails a test that had errors or drops when the request set no limits', () => {
    expect(failed(evaluateThresholds({}, measured()))).toEqual([]);
    const withErrors = evaluateThresholds({}, measured({ errors: 3 }));
    expect(failed(withErrors)).toEqual(['errorRate']);
    expect(withErrors.find((t) => t.name === 'errorRate')).toMatchObject({
      source: 'default',
      limit: 0,
      actual: 0.003,
    });
    expect(failed(evaluateThresholds({}, measured({ dropped: 1 })))).toEqual(['droppedRate']);
  });

  it('passes errors and drops only within limits the request set itself', () => {
    const loosened = evaluateThresholds({ errorRate: 0.01, droppedRate: 0.5 }, measured({ errors: 3, dropped: 400 }));
    expect(failed(loosened)).toEqual([]);
    expect(loosened.every((t) => t.source === 'request')).toBe(true);
  });

  it("expresses the seed's p95 < 100 ms in baseline and < 200 ms in burst, per phase", () => {
    const seed = { phases: { baseline: { p95Ms: 100 }, burst: { p95Ms: 200 } } };
    expect(failed(evaluateThresholds(seed, measured()))).toEqual([]);
    const slowBurst = measured({ phases: { baseline: phase(60), burst: phase(250), recovery: phase(70) } });
    expect(failed(evaluateThresholds(seed, slowBurst))).toEqual(['phases.burst.p95Ms']);
  });

  it('keeps end-to-end limits apart from request latency, and fails them when end-to-end is unknown', () => {
    expect(failed(evaluateThresholds({ p95Ms: 100, endToEndP95Ms: 30 }, measured()))).toEqual(['endToEndP95Ms']);
    const unknown = evaluateThresholds(
      { endToEndP99Ms: 100 },
      measured({ endToEndMs: { unknown: '12 of 1000 acknowledged events were not stored within 10000 ms' } }),
    );
    expect(unknown.find((t) => t.name === 'endToEndP99Ms')).toMatchObject({
      actual: null,
      passed: false,
      reason: expect.stringContaining('not stored') as unknown,
    });
  });

  it('refuses a phase the scenario does not have, naming the field', () => {
    const burst = {
      testName: 't',
      baselineRatePerSecond: 1,
      burstRatePerSecond: 2,
      baselineDuration: 'PT1S',
      burstDuration: 'PT1S',
    };
    expect(burstRequestSchema.safeParse({ ...burst, thresholds: { phases: { burst: { p95Ms: 200 } } } }).success).toBe(
      true,
    );
    const wrong = burstRequestSchema.safeParse({ ...burst, thresholds: { phases: { hold: { p95Ms: 200 } } } });
    expect(wrong.error?.issues[0]?.path).toEqual(['thresholds', 'phases']);
    const ramp = {
      testName: 't',
      startRatePerSecond: 1,
      targetRatePerSecond: 2,
      rampDuration: 'PT1S',
      holdDuration: 'PT1S',
    };
    expect(rampRequestSchema.safeParse({ ...ramp, thresholds: { phases: { hold: { p99Ms: 5 } } } }).success).toBe(true);
    expect(rampRequestSchema.safeParse({ ...ramp, thresholds: { phases: { burst: { p99Ms: 5 } } } }).success).toBe(
      false,
    );
  });
});
