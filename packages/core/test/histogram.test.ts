import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '@logperf/core';

/** HDR at 3 significant digits: a value comes back within 0.1% of what was recorded. */
function expectHdrEqual(actual: number, expected: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(expected * 0.001);
}

describe('LatencyHistogram', () => {
  it('returns recorded known values exactly at 3 significant digits', () => {
    const h = LatencyHistogram.create();
    for (let ms = 1; ms <= 100; ms++) h.recordMs(ms);
    const s = h.summary();
    expect(s.count).toBe(100);
    expectHdrEqual(s.p50, 50);
    expectHdrEqual(s.p99, 99);
    expectHdrEqual(s.max, 100);
    expectHdrEqual(s.minMs, 1);
  });

  it('merges and survives the compressed base64 round trip', () => {
    const a = LatencyHistogram.create();
    const b = LatencyHistogram.create();
    a.recordMs(10, 90);
    b.recordMs(1000, 10);
    const merged = LatencyHistogram.decode(a.encode()).merge(LatencyHistogram.decode(b.encode()));
    expect(merged.count).toBe(100);
    expectHdrEqual(merged.percentileMs(90), 10);
    expectHdrEqual(merged.percentileMs(95), 1000);
  });

  it('clamps values outside 1 µs – 1 h instead of throwing', () => {
    const h = LatencyHistogram.create();
    h.recordMs(-5);
    h.recordMs(Number.NaN);
    h.recordMs(10 * 3_600_000);
    expect(h.count).toBe(3);
    expectHdrEqual(h.summary().max, 3_600_000);
  });
});

describe('LatencyHistogram.minus', () => {
  it('turns two cumulative snapshots into the interval between them', () => {
    const cumulative = LatencyHistogram.create();
    cumulative.recordMs(5, 100);
    const earlier = LatencyHistogram.decode(cumulative.encode());
    cumulative.recordMs(50, 10);
    const interval = LatencyHistogram.decode(cumulative.encode()).minus(earlier);
    expect(interval.count).toBe(10);
    expectHdrEqual(interval.percentileMs(50), 50);
  });
});

describe('LatencyHistogram.countsAtOrBelow', () => {
  it('gives cumulative bucket counts for Prometheus le bounds', () => {
    const h = LatencyHistogram.create();
    h.recordMs(0.4, 3);
    h.recordMs(4, 5);
    h.recordMs(40, 2);
    expect(h.countsAtOrBelow([0.5, 5, 50, 1000])).toEqual([3, 8, 10, 10]);
  });
});
