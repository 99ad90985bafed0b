// Event-loop delay (perf_hooks histogram) and utilisation, per interval between snapshots.
import { monitorEventLoopDelay, performance, type EventLoopUtilization, type IntervalHistogram } from 'node:perf_hooks';

export interface EventLoopSnapshot {
  /**
   * Lag = how late the 10 ms sampling timer fired. Node records whole intervals between fires (an idle loop reads
   * ≈10 ms), so the resolution is subtracted. Null when no fire fell into the interval (snapshots < 10 ms apart).
   */
  lagP50Ms: number | null;
  lagP99Ms: number | null;
  lagMaxMs: number | null;
  lagMeanMs: number | null;
  /** Delay samples behind the percentiles. */
  samples: number;
  /** Share of the interval the loop was busy, 0–1. */
  utilization: number;
}

const RESOLUTION_MS = 10;
const NS_PER_MS = 1e6;
const lag = (ns: number) => Math.max(0, ns / NS_PER_MS - RESOLUTION_MS);

export class EventLoopMonitor {
  private readonly delay: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  private lastUtilization: EventLoopUtilization = performance.eventLoopUtilization();
  // reset() also forgets when the histogram's timer last fired, so a stall spanning a snapshot would vanish from it.
  // This timer's gaps are carried across snapshots and bound lagMaxMs from below.
  private lastTickAt = performance.now();
  private maxTickGapMs = 0;
  private readonly ticker: NodeJS.Timeout = setInterval(() => {
    const now = performance.now();
    this.maxTickGapMs = Math.max(this.maxTickGapMs, now - this.lastTickAt);
    this.lastTickAt = now;
  }, RESOLUTION_MS).unref();

  constructor() {
    this.delay.enable();
  }

  /** Figures since the previous snapshot; the delay histogram starts afresh after each. */
  snapshot(): EventLoopSnapshot {
    const now = performance.eventLoopUtilization();
    const utilization = performance.eventLoopUtilization(now, this.lastUtilization).utilization;
    this.lastUtilization = now;
    const samples = this.delay.count;
    const tickGapMs = this.maxTickGapMs > 0 ? lag(this.maxTickGapMs * NS_PER_MS) : null;
    const maxMs = samples > 0 ? Math.max(lag(this.delay.max), tickGapMs ?? 0) : tickGapMs;
    const snapshot: EventLoopSnapshot = {
      lagP50Ms: samples > 0 ? lag(this.delay.percentile(50)) : null,
      lagP99Ms: samples > 0 ? lag(this.delay.percentile(99)) : null,
      lagMaxMs: maxMs,
      lagMeanMs: samples > 0 ? lag(this.delay.mean) : null,
      samples,
      utilization,
    };
    this.delay.reset();
    this.maxTickGapMs = 0;
    return snapshot;
  }

  stop(): void {
    this.delay.disable();
    clearInterval(this.ticker);
  }
}
