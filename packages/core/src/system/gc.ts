// Garbage-collection pauses by kind, counted from perf_hooks 'gc' entries between snapshots.
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';

export type GcKind = 'minor' | 'major' | 'incremental' | 'weakcb';

export interface GcPauses {
  count: number;
  totalPauseMs: number;
  maxPauseMs: number;
}

export interface GcSnapshot extends GcPauses {
  /** Every kind is present (zeros when it did not run); entries of a kind Node adds later count only in the totals. */
  byKind: Record<GcKind, GcPauses>;
}

const KIND_NAMES: Partial<Record<number, GcKind>> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

const none = (): GcPauses => ({ count: 0, totalPauseMs: 0, maxPauseMs: 0 });
const empty = (): GcSnapshot => ({
  ...none(),
  byKind: { minor: none(), major: none(), incremental: none(), weakcb: none() },
});
const add = (pauses: GcPauses, durationMs: number) => {
  pauses.count++;
  pauses.totalPauseMs += durationMs;
  pauses.maxPauseMs = Math.max(pauses.maxPauseMs, durationMs);
};

export class GcMonitor {
  private current = empty();
  private readonly observer = new PerformanceObserver((list) => this.count(list.getEntries()));

  constructor() {
    this.observer.observe({ entryTypes: ['gc'] });
  }

  /** Pauses since the previous snapshot, including entries still queued for the observer. */
  snapshot(): GcSnapshot {
    this.count(this.observer.takeRecords());
    const taken = this.current;
    this.current = empty();
    return taken;
  }

  stop(): void {
    this.observer.disconnect();
  }

  private count(entries: PerformanceEntry[]): void {
    for (const entry of entries) {
      const kind = KIND_NAMES[(entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ?? -1];
      add(this.current, entry.duration);
      if (kind) add(this.current.byKind[kind], entry.duration);
    }
  }
}
