import { describe, expect, it } from 'vitest';
import {
  CLEAR_SAMPLES,
  DEFAULT_THRESHOLDS,
  detectBottlenecks,
  standingStall,
  type NodeSample,
} from '@logperf/measurements';

const sample = (i: number, waitsMs: Record<string, number> | null): NodeSample => ({
  atMs: i * 1000,
  cpuPercent: 20,
  systemCpuPercent: 30,
  memoryPercent: 40,
  ioUtilPercent: 5,
  networkRxBytesPerSecond: 0,
  networkTxBytesPerSecond: 0,
  eventLoopLagP99Ms: 12,
  gcPauseMs: 3,
  eventsPerSecond: 300,
  waitsMs,
});

const cluster = (processorWaits: number[], gatewayWaits: number[] = processorWaits.map(() => 5)) => ({
  windowSeconds: 5,
  nodes: [
    { id: 'p1', role: 'processor', up: true, samples: processorWaits.map((w, i) => sample(i, { store: w, cache: 3 })) },
    { id: 'g1', role: 'gateway', up: true, samples: gatewayWaits.map((w, i) => sample(i, { bus: w })) },
  ],
  throughputPerSecond: 0,
  targetRatePerSecond: 300,
  queueDepth: 5000,
  lagStatus: null,
  thresholds: DEFAULT_THRESHOLDS,
});

describe('stall rules', () => {
  it('name the store, before the queue in front of it, while a write has not returned for 2 s', () => {
    const verdicts = detectBottlenecks(cluster([20, 1000, 2000, 3000, 4000]));
    expect(verdicts.map((v) => `${v.rule}/${v.component}`)).toEqual(['store/store', 'queue/queue']);
    expect(verdicts[0]).toMatchObject({ value: 4000, threshold: 2000, affectedNodes: ['p1'] });
    expect(verdicts[0]?.evidence).toContain('a store write waited 4.0 s');
  });

  it('name the broker when the gateway waits on produce', () => {
    const verdicts = detectBottlenecks({ ...cluster([5, 5, 5], [2500, 3500, 4500]), queueDepth: 0 });
    expect(verdicts.map((v) => v.rule)).toEqual(['broker']);
  });

  it('hold through a dip (hysteresis) and clear only after samples in a row below half the threshold', () => {
    expect(standingStall([2500, 900, 2100, 1500], 2000)).toBe(2500);
    expect(standingStall([2500, 900, 900], 2000)).toBe(2500);
    expect(standingStall([2500, ...Array.from({ length: CLEAR_SAMPLES }, () => 900)], 2000)).toBeNull();
    expect(standingStall([1900, 1999, null], 2000)).toBeNull();
  });

  it('stay silent on nodes that report no waits', () => {
    const verdicts = detectBottlenecks({
      ...cluster([0, 0, 0]),
      queueDepth: 0,
      nodes: [{ id: 'p1', role: 'processor', up: true, samples: [0, 1, 2].map((i) => sample(i, null)) }],
    });
    expect(verdicts).toEqual([]);
  });
});
