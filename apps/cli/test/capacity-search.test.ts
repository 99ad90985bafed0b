// The capacity search as a pure function: fake step outcomes from a known limit → the rate found and the steps taken.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CRITERIA, judgeStep, lagSlope, searchCapacity, type StepMeasurement } from '../src/capacity-search.js';

/** What a target with a hard limit would measure: flat lag and a low tail below it, growing lag and a long tail above. */
function measured(rate: number, limit: number): StepMeasurement {
  const over = rate > limit;
  const lagSamples: [number, number][] = Array.from({ length: 10 }, (_, i) => [
    i + 2,
    over ? (rate - limit) * i : 150 + (i % 2) * 40,
  ]);
  const achieved = over ? limit : rate;
  return {
    ratePerSecond: rate,
    durationSeconds: 10,
    intended: rate * 10,
    acknowledged: achieved * 10,
    achievedRatePerSecond: achieved,
    p50Ms: over ? 400 : 20,
    p99Ms: over ? 2500 : 60,
    errors: 0,
    errorKinds: {},
    dropped: 0,
    stored: achieved * 10,
    lagSamples,
  };
}

const fakeTarget = (limit: number, confirmLimit = limit) => {
  const rates: string[] = [];
  const run = (rate: number, kind: 'step' | 'confirm') => {
    rates.push(`${kind === 'confirm' ? 'c' : ''}${rate}`);
    return Promise.resolve(
      judgeStep(measured(rate, kind === 'confirm' ? confirmLimit : limit), kind, DEFAULT_CRITERIA),
    );
  };
  return { run, rates };
};

const bounds = { lowPerSecond: 1000, highPerSecond: 20_000, resolutionPerSecond: 500, maxSteps: 12 };

describe('searchCapacity', () => {
  it('bisects to within the resolution below the limit, then confirms', async () => {
    const target = fakeTarget(7300);
    const result = await searchCapacity(target.run, bounds);
    expect(target.rates).toEqual(['1000', '20000', '10500', '5750', '8130', '6940', '7540', '7240', 'c7240']);
    expect(result).toMatchObject({
      maxSustainablePerSecond: 7240,
      confirmed: true,
      firstFailingPerSecond: 7540,
      stoppedBy: 'resolution',
    });
    expect(result.steps).toHaveLength(9);
  });

  it('reports no rate when the low bound fails, after one step', async () => {
    const result = await searchCapacity(fakeTarget(800).run, bounds);
    expect(result).toMatchObject({ maxSustainablePerSecond: null, confirmed: false, stoppedBy: 'low-bound-failed' });
    expect(result.steps).toHaveLength(1);
  });

  it('says the limit is above the high bound when that passes', async () => {
    const result = await searchCapacity(fakeTarget(50_000).run, bounds);
    expect(result).toMatchObject({
      maxSustainablePerSecond: 20_000,
      confirmed: true,
      firstFailingPerSecond: null,
      stoppedBy: 'high-bound-passed',
    });
    expect(result.steps.map((s) => s.kind)).toEqual(['step', 'step', 'confirm']);
  });

  it('keeps the last step for the confirmation when steps run out', async () => {
    const target = fakeTarget(7300);
    const result = await searchCapacity(target.run, { ...bounds, maxSteps: 5 });
    expect(target.rates).toEqual(['1000', '20000', '10500', '5750', 'c5750']);
    expect(result).toMatchObject({
      maxSustainablePerSecond: 5750,
      confirmed: true,
      firstFailingPerSecond: 10_500,
      stoppedBy: 'max-steps',
    });
  });

  it('steps down to the next passing rate when the confirmation fails', async () => {
    const target = fakeTarget(7300, 7000);
    const result = await searchCapacity(target.run, bounds);
    expect(target.rates.slice(-3)).toEqual(['7240', 'c7240', 'c6940']);
    expect(result).toMatchObject({ maxSustainablePerSecond: 6940, confirmed: true, firstFailingPerSecond: 7240 });
    expect(result.steps).toHaveLength(10);
  });

  it('stops when out of time, unconfirmed', async () => {
    const target = fakeTarget(7300);
    let asked = 0;
    const result = await searchCapacity(target.run, bounds, () => ++asked > 2);
    expect(target.rates).toEqual(['1000', '20000', '10500']);
    expect(result).toMatchObject({ maxSustainablePerSecond: 1000, confirmed: false, stoppedBy: 'time' });
  });
});

describe('judgeStep', () => {
  const ok = measured(5000, 7300);
  it('passes a step within every criterion', () => {
    expect(judgeStep(ok, 'step', DEFAULT_CRITERIA)).toMatchObject({
      passed: true,
      reasons: [],
      lost: 0,
      lagEndEvents: 190,
    });
  });
  it('fails on each criterion and names it', () => {
    const verdict = (m: Partial<StepMeasurement>) => judgeStep({ ...ok, ...m }, 'step', DEFAULT_CRITERIA);
    expect(verdict({ p99Ms: 501 }).reasons).toEqual(['p99 501 ms > 500 ms']);
    expect(verdict({ achievedRatePerSecond: 4700 }).reasons).toEqual(['achieved 94.0 % of intended < 95 %']);
    expect(verdict({ errors: 3, errorKinds: { http_503: 3 } }).reasons).toEqual(['3 refused or failed (http_503 3)']);
    expect(verdict({ dropped: 1 }).passed).toBe(false);
    expect(verdict({ stored: 49_990 }).reasons).toEqual(['10 acknowledged events not stored after the drain']);
    expect(
      verdict({
        lagSamples: [
          [0, 0],
          [1, 200],
          [2, 400],
        ],
      }).reasons,
    ).toEqual(['lag growing 200 events/s per s > 100']);
  });
  it('does not fail what it could not judge, but says so', () => {
    const v = judgeStep({ ...ok, stored: null, lagSamples: [] }, 'step', DEFAULT_CRITERIA);
    expect(v.passed).toBe(true);
    expect(v.reasons).toEqual(['lag not judged (no processor counts)', 'loss not judged (no processor counts)']);
  });
  it('fits the lag slope by least squares', () => {
    expect(
      lagSlope([
        [0, 10],
        [1, 30],
        [2, 50],
        [3, 70],
      ]),
    ).toBe(20);
    expect(
      lagSlope([
        [0, 10],
        [1, 30],
      ]),
    ).toBeNull();
  });
});
