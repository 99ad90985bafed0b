// Garbage-collection pauses by kind, counted from perf_hooks 'gc' entries between snapshots.
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';

export type GcKind = 'minor' | 'major' | 'incremental' | 'weakcb';

export interface GcSnapshot {
  count: number;
  totalPauseMs: number;
  maxPauseMs: number;
  byKind: Partial<Record<GcKind, { count: number; totalPauseMs: number }>>;
}

const KIND_NAMES: Record<number, GcKind> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

const empty = (): GcSnapshot => ({ count: 0, totalPauseMs: 0, maxPauseMs: 0, byKind: {} });

export class GcMonitor {
  private current = empty();
  private readonly observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const detail = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail;
      const kind = KIND_NAMES[detail?.kind ?? -1] ?? 'minor';
      const byKind = (this.current.byKind[kind] ??= { count: 0, totalPauseMs: 0 });
      byKind.count++;
      byKind.totalPauseMs += entry.duration;
      this.current.count++;
      this.current.totalPauseMs += entry.duration;
      this.current.maxPauseMs = Math.max(this.current.maxPauseMs, entry.duration);
    }
  });

  constructor() {
    this.observer.observe({ entryTypes: ['gc'] });
  }

  /** Pauses since the previous snapshot. */
  snapshot(): GcSnapshot {
    const taken = this.current;
    this.current = empty();
    return taken;
  }

  stop(): void {
    this.observer.disconnect();
  }
}
