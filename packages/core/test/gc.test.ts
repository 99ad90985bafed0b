// GcMonitor: collections forced with global.gc (when exposed) or provoked by allocation are counted by kind.
import { describe, expect, it } from 'vitest';
import { GcMonitor } from '@logperf/core';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('GcMonitor', () => {
  it('counts collections and their pauses by kind, then starts afresh', async () => {
    const monitor = new GcMonitor();
    try {
      let kept: { i: number; s: string }[] = [];
      let snapshot = monitor.snapshot();
      // Bounded: at most 200 rounds of 100k small objects (a young generation fills within a few).
      for (let round = 0; round < 200 && snapshot.count === 0; round++) {
        if (typeof globalThis.gc === 'function') globalThis.gc();
        else kept = Array.from({ length: 100_000 }, (_, i) => ({ i, s: `event-${i}` }));
        await nextTurn(); // gc entries are queued for the observer after the collection
        snapshot = monitor.snapshot();
      }
      expect(kept.length === 0 || kept.length === 100_000).toBe(true);
      expect(snapshot.count).toBeGreaterThan(0);
      expect(snapshot.totalPauseMs).toBeGreaterThan(0);
      expect(snapshot.maxPauseMs).toBeGreaterThan(0);
      expect(snapshot.maxPauseMs).toBeLessThanOrEqual(snapshot.totalPauseMs);
      const kinds = Object.values(snapshot.byKind);
      expect(kinds.reduce((sum, k) => sum + k.count, 0)).toBe(snapshot.count);
      expect(Math.max(...kinds.map((k) => k.maxPauseMs))).toBe(snapshot.maxPauseMs);
      expect(monitor.snapshot().byKind.major.count + monitor.snapshot().byKind.minor.count).toBeLessThan(
        snapshot.count + 5,
      );
    } finally {
      monitor.stop();
    }
  });
});
