import { describe, expect, it } from 'vitest';
import { constant, linear, Schedule } from '../src/pacer.js';
import { burstScenario, parseIsoDuration, rampScenario } from '../src/scenarios.js';

describe('rate shapes', () => {
  it('constant: n-th event at n / rate, counts floor(rate · t)', () => {
    const shape = constant(1000, 2000);
    expect(shape.timeOf(0)).toBe(0);
    expect(shape.timeOf(500)).toBe(500);
    expect(shape.countAt(1000)).toBe(1000);
    expect(shape.countAt(2000)).toBe(2000);
    expect(shape.countAt(5000)).toBe(2000);
  });

  it('linear: integrates the rate, and timeOf inverts countAt', () => {
    const shape = linear(1000, 3000, 10_000);
    expect(shape.countAt(10_000)).toBe(20_000);
    expect(shape.rateAt(5000)).toBe(2000);
    for (const n of [0, 1, 999, 5000, 19_999]) {
      const t = shape.timeOf(n);
      expect(shape.countAt(t + 1e-6)).toBe(n + 1);
    }
  });
});

describe('seed scenarios', () => {
  it('burst: 5,000/s for 2 min → 20,000/s for 1 min → 5,000/s for 2 min', () => {
    const { schedule } = burstScenario({
      testName: 't',
      baselineRatePerSecond: 5000,
      burstRatePerSecond: 20_000,
      baselineDuration: 120_000,
      burstDuration: 60_000,
      batchSize: 100,
      thresholds: {},
    });
    expect(schedule.totalEvents).toBe(5000 * 120 + 20_000 * 60 + 5000 * 120);
    expect(schedule.durationMs).toBe(300_000);
    expect(schedule.eventAt(600_000)).toEqual({ phase: 1, intendedMs: 120_000 });
    expect(schedule.eventAt(1_800_000)).toEqual({ phase: 2, intendedMs: 180_000 });
    expect(schedule.rateAt(150_000)).toBe(20_000);
  });

  it('ramp: 1,000 → 15,000/s over 10 min, then hold', () => {
    const { schedule } = rampScenario({
      testName: 't',
      startRatePerSecond: 1000,
      targetRatePerSecond: 15_000,
      rampDuration: 600_000,
      holdDuration: 60_000,
      batchSize: 100,
      thresholds: {},
    });
    expect(schedule.totalEvents).toBe(8000 * 600 + 15_000 * 60);
    expect(schedule.rateAt(300_000)).toBe(8000);
    expect(schedule.dueBy(600_000)).toBe(4_800_000);
  });

  it('every intended time is monotone and dueBy agrees with eventAt', () => {
    const schedule = new Schedule([
      { name: 'a', shape: linear(10, 500, 3000) },
      { name: 'b', shape: constant(700, 2000) },
    ]);
    let previous = -1;
    for (let n = 0; n < schedule.totalEvents; n++) {
      const { intendedMs } = schedule.eventAt(n)!;
      expect(intendedMs).toBeGreaterThanOrEqual(previous);
      previous = intendedMs;
      expect(schedule.dueBy(intendedMs + 1e-6)).toBeGreaterThanOrEqual(n + 1);
    }
    expect(schedule.eventAt(schedule.totalEvents)).toBeUndefined();
  });
});

describe('ISO-8601 durations', () => {
  it.each([
    ['PT2M', 120_000],
    ['PT1H30M', 5_400_000],
    ['PT0.5S', 500],
    ['P1D', 86_400_000],
    ['PT', undefined],
    ['2 minutes', undefined],
    ['-PT1M', undefined],
  ])('%s → %s', (text, ms) => expect(parseIsoDuration(text)).toBe(ms));
});
