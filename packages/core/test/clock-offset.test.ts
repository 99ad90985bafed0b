// The four-timestamp estimator on constructed exchanges: known offsets, asymmetric legs, jitter, the least-delay choice,
// and the correction of a two-host figure.
import { describe, expect, it } from 'vitest';
import {
  CLOCK_RESOLUTION_MS,
  clockCorrection,
  estimateClockOffset,
  offsetOf,
  type ClockEstimate,
  type ClockSample,
} from '../src/clock-offset.js';

/** An exchange with the server `offsetMs` ahead, legs of `upMs` and `downMs`, and `serverMs` spent on the server. */
function exchange(atMs: number, offsetMs: number, upMs: number, downMs: number, serverMs = 0.1): ClockSample {
  const t2True = atMs + upMs;
  return {
    t1Ms: atMs,
    t2Ms: t2True + offsetMs,
    t3Ms: t2True + serverMs + offsetMs,
    t4Ms: t2True + serverMs + downMs,
  };
}

describe('offsetOf', () => {
  it('recovers the offset exactly when both legs take the same time, whatever the server spends', () => {
    const exact = offsetOf(exchange(1000, 250, 0.4, 0.4, 3));
    expect(exact.offsetMs).toBeCloseTo(250, 9);
    expect(exact.delayMs).toBeCloseTo(0.8, 9);
    expect(offsetOf(exchange(1000, -1500, 2, 2)).offsetMs).toBeCloseTo(-1500, 9);
  });

  it('is off by half the legs’ difference when they differ, always within ± delay/2', () => {
    const { offsetMs, delayMs } = offsetOf(exchange(0, 100, 9, 1));
    expect(offsetMs).toBeCloseTo(104, 9); // (9 − 1) / 2 = 4 ms towards the slow leg
    expect(delayMs).toBeCloseTo(10, 9);
    expect(Math.abs(offsetMs - 100)).toBeLessThanOrEqual(delayMs / 2);
  });
});

describe('estimateClockOffset', () => {
  it('chooses the least-delayed exchange among jittered ones', () => {
    const samples = [
      exchange(0, 42, 5, 0.5), // queued request: offset reads 44.25
      exchange(10, 42, 0.3, 0.3), // the quick one: exact
      exchange(20, 42, 0.5, 7), // queued reply: offset reads 38.75
      exchange(30, 42, 2, 2.5),
    ];
    const estimate = estimateClockOffset(samples);
    expect(estimate.offsetMs).toBeCloseTo(42, 9);
    expect(estimate.delayMs).toBeCloseTo(0.6, 9);
    expect(estimate.uncertaintyMs).toBeCloseTo(0.3 + CLOCK_RESOLUTION_MS, 9);
    expect(estimate.rounds).toBe(4);
    expect(estimate.measuredAtMs).toBe(samples[1]!.t4Ms);
  });

  it('bounds the error of an asymmetric least-delay exchange by its uncertainty', () => {
    const estimate = estimateClockOffset([exchange(0, -7, 3, 0.2), exchange(5, -7, 4, 4)]);
    expect(estimate.offsetMs).toBeCloseTo(-7 + 1.4, 9);
    expect(Math.abs(estimate.offsetMs - -7)).toBeLessThanOrEqual(estimate.uncertaintyMs);
  });

  it('rejects no samples, backwards samples and a server span longer than the round trip', () => {
    expect(() => estimateClockOffset([])).toThrow(/no clock samples/);
    expect(() => estimateClockOffset([{ t1Ms: 0, t2Ms: 5, t3Ms: 4, t4Ms: 1 }])).toThrow(/backwards/);
    expect(() => estimateClockOffset([{ t1Ms: 0, t2Ms: 0, t3Ms: 10, t4Ms: 1 }])).toThrow(/exceeds the round trip/);
    expect(() => estimateClockOffset([{ t1Ms: 0, t2Ms: Number.NaN, t3Ms: 1, t4Ms: 1 }])).toThrow(/non-finite/);
  });
});

describe('clockCorrection', () => {
  const at = (offsetMs: number, uncertaintyMs: number): ClockEstimate => ({
    offsetMs,
    uncertaintyMs,
    delayMs: uncertaintyMs * 2,
    rounds: 8,
    measuredAtMs: 0,
  });

  it('subtracts the late host’s offset less the early host’s, adding their bounds', () => {
    const c = clockCorrection(
      [{ estimate: at(250, 0.2), weight: 10 }],
      [{ estimate: { offsetMs: 50, uncertaintyMs: 0.1 }, weight: 1 }],
      205,
      0.1,
    );
    expect(c.offsetMs).toBeCloseTo(200, 9);
    expect(c.uncertaintyMs).toBeCloseTo(0.3, 9);
    expect(c).toMatchObject({ trustworthy: true, reason: null });
  });

  it('corrects several late hosts by their weighted mean and counts their spread in the bound', () => {
    const c = clockCorrection(
      [
        { estimate: at(10, 0.1), weight: 3 },
        { estimate: at(20, 0.5), weight: 1 },
      ],
      [{ estimate: { offsetMs: 0, uncertaintyMs: 0 }, weight: 1 }],
      100,
      0.1,
    );
    expect(c.offsetMs).toBeCloseTo(12.5, 9);
    expect(c.uncertaintyMs).toBeCloseTo(0.5 + 7.5, 9);
  });

  it('blends several early hosts (generators) the same way', () => {
    const c = clockCorrection(
      [{ estimate: at(5, 0.1), weight: 1 }],
      [
        { estimate: at(-2, 0.2), weight: 1 },
        { estimate: at(2, 0.3), weight: 1 },
      ],
      100,
      0.1,
    );
    expect(c.offsetMs).toBeCloseTo(5, 9);
    expect(c.uncertaintyMs).toBeCloseTo(0.1 + 0.3 + 2, 9);
  });

  it('refuses a side with no host', () => {
    expect(() => clockCorrection([], [{ estimate: at(0, 0), weight: 1 }], 1, 0.1)).toThrow(/no host/);
  });

  it('marks the figure untrustworthy when the bound exceeds the allowed share of it', () => {
    const c = clockCorrection(
      [{ estimate: at(0, 1), weight: 1 }],
      [{ estimate: { offsetMs: 0, uncertaintyMs: 0.5 }, weight: 1 }],
      10,
      0.1,
    );
    expect(c.trustworthy).toBe(false);
    expect(c.reason).toMatch(/±1\.500 ms exceeds 10% of the figure \(10\.000 ms\)/);
    expect(
      clockCorrection(
        [{ estimate: at(0, 1), weight: 1 }],
        [{ estimate: { offsetMs: 0, uncertaintyMs: 0.5 }, weight: 1 }],
        15,
        0.1,
      ).trustworthy,
    ).toBe(true);
  });
});
