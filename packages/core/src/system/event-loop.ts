// Event-loop delay (perf_hooks histogram) and utilisation, per interval between snapshots.
import { monitorEventLoopDelay, performance, type EventLoopUtilization, type IntervalHistogram } from 'node:perf_hooks';

export interface EventLoopSnapshot {
  lagP50Ms: number;
  lagP99Ms: number;
  lagMaxMs: number;
  lagMeanMs: number;
  /** Share of the interval the loop was busy, 0–1. */
  utilization: number;
}

const NS_PER_MS = 1e6;

export class EventLoopMonitor {
  private readonly delay: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  private lastUtilization: EventLoopUtilization = performance.eventLoopUtilization();

  constructor() {
    this.delay.enable();
  }

  /** Figures since the previous snapshot; the delay histogram starts afresh after each. */
  snapshot(): EventLoopSnapshot {
    const utilization = performance.eventLoopUtilization(this.lastUtilization);
    this.lastUtilization = performance.eventLoopUtilization();
    const empty = this.delay.count === 0;
    const snapshot = {
      lagP50Ms: empty ? 0 : this.delay.percentile(50) / NS_PER_MS,
      lagP99Ms: empty ? 0 : this.delay.percentile(99) / NS_PER_MS,
      lagMaxMs: empty ? 0 : this.delay.max / NS_PER_MS,
      lagMeanMs: empty ? 0 : this.delay.mean / NS_PER_MS,
      utilization: utilization.utilization,
    };
    this.delay.reset();
    return snapshot;
  }

  stop(): void {
    this.delay.disable();
  }
}
