// EventLoopMonitor: a 200 ms synchronous block shows as lag, even when it starts right after a snapshot.
import { describe, expect, it } from 'vitest';
import { EventLoopMonitor, sleep } from '@logperf/core';

const blockFor = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until) Math.sqrt(Math.random());
};

describe('EventLoopMonitor', () => {
  it('reports a 200 ms block as lag and the busy share as utilisation', async () => {
    const monitor = new EventLoopMonitor();
    try {
      await sleep(50);
      blockFor(200);
      await sleep(30);
      const snapshot = monitor.snapshot();
      expect(snapshot.lagMaxMs).toBeGreaterThanOrEqual(150);
      expect(snapshot.lagMaxMs).toBeLessThan(5000);
      expect(snapshot.samples).toBeGreaterThan(0);
      // The loop was busy for 200 ms of about 280.
      expect(snapshot.utilization).toBeGreaterThan(0.3);
      expect(snapshot.utilization).toBeLessThanOrEqual(1);
    } finally {
      monitor.stop();
    }
  });

  it('keeps a block that spans a snapshot for the next one, then starts afresh', async () => {
    const monitor = new EventLoopMonitor();
    try {
      await sleep(50);
      monitor.snapshot();
      blockFor(200);
      await sleep(30);
      expect(monitor.snapshot().lagMaxMs).toBeGreaterThanOrEqual(150);
      await sleep(100);
      const quiet = monitor.snapshot();
      // Nothing blocked in this interval; a loaded machine can still delay a 10 ms timer, but not by 150 ms.
      expect(quiet.lagMaxMs).toBeLessThan(150);
      expect(quiet.lagP50Ms).toBeGreaterThanOrEqual(0);
      expect(quiet.lagP50Ms).toBeLessThan(50);
    } finally {
      monitor.stop();
    }
  });
});
