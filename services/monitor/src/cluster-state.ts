// One view of the cluster built from the scraper, the lag watcher and the latency windows: what every endpoint reports.
import type { ClockTracker } from '@logperf/core';
import type { BackendStats } from './backend-stats.js';
import {
  detectBottlenecks,
  loadTestProgressSchema,
  type BottleneckThresholds,
  type LoadTestProgress,
  type Verdict,
} from '@logperf/measurements';
import type { HostNetwork } from './host-network.js';
import type { LagWatcher } from './lag-watcher.js';
import type { LatencyWindows } from './latency-windows.js';
import type { NodeScraper, NodeView } from './node-scraper.js';

export class ClusterState {
  constructor(
    readonly scraper: NodeScraper,
    readonly windows: LatencyWindows,
    readonly lag: LagWatcher | undefined,
    readonly thresholds: BottleneckThresholds,
    readonly backends?: BackendStats,
    /** Why there is no lag watcher (e.g. a monitor alone on the in-memory bus sees no cluster's queue). */
    readonly lagUnavailableReason: string | null = null,
    readonly network?: HostNetwork,
    /** Each scraped node's clock relative to the monitor's. */
    readonly clocks?: ClockTracker,
  ) {}

  /** The node's clock minus the monitor's, ± its bound; nulls and the reason while it is not measured. */
  private clockOf(url: string) {
    const clock = this.clocks?.latest(url) ?? { unavailable: 'the monitor measures no clocks' };
    return 'unavailable' in clock
      ? { offsetMs: null, uncertaintyMs: null, measuredAtMs: null, reason: clock.unavailable }
      : {
          offsetMs: clock.offsetMs,
          uncertaintyMs: clock.uncertaintyMs,
          measuredAtMs: clock.measuredAtMs,
          reason: null,
        };
  }

  /** Why consumer lag and queue depth are null right now, or null when they are measured. */
  lagReason(): string | null {
    if (this.lagUnavailableReason !== null) return this.lagUnavailableReason;
    if (!this.lag) return 'no lag watcher';
    if (this.lag.view()) return null;
    return this.lag.lastError === null ? 'not sampled yet' : `lag could not be read: ${this.lag.lastError}`;
  }

  nodes() {
    return this.scraper.views().map((n) => ({
      id: n.id ?? n.url,
      role: n.role ?? 'unknown',
      url: n.url,
      pid: n.pid,
      up: n.up,
      lastSeenMs: n.lastSeenMs,
      lastError: n.lastError,
      cpuPercent: n.latest?.cpuPercent ?? null,
      systemCpuPercent: n.latest?.systemCpuPercent ?? null,
      memoryPercent: n.latest?.memoryPercent ?? null,
      rssBytes: n.rssBytes,
      storeBytes: n.latest?.storeBytes ?? null,
      eventLoopLagP99Ms: n.latest?.eventLoopLagP99Ms ?? null,
      ioUtilPercent: n.latest?.ioUtilPercent ?? null,
      networkRxBytesPerSecond: n.latest?.networkRxBytesPerSecond ?? null,
      networkTxBytesPerSecond: n.latest?.networkTxBytesPerSecond ?? null,
      eventsPerSecond: n.latest?.eventsPerSecond ?? null,
      eventsTotal: n.eventsTotal,
      clock: this.clockOf(n.url),
    }));
  }

  /** The load generator's progress as its /api/node/stats carries it: parsed, not cast. */
  runningTest(): LoadTestProgress | null {
    const test = this.scraper.views().find((n) => n.up && n.runningTest)?.runningTest;
    const parsed = loadTestProgressSchema.safeParse(test);
    return parsed.success ? parsed.data : null;
  }

  /** Events/s through the pipeline: what the processors store, or what the gateways accept when no processor is watched. */
  throughput(views: NodeView[] = this.scraper.views()): number {
    const rate = (role: string) =>
      views.filter((n) => n.up && n.role === role).reduce((sum, n) => sum + (n.latest?.eventsPerSecond ?? 0), 0);
    return views.some((n) => n.role === 'processor') ? rate('processor') : rate('gateway');
  }

  cluster() {
    const lag = this.lag?.view() ?? null;
    const test = this.runningTest();
    const handled = test ? test.acknowledged + test.errors : 0;
    return {
      eventsPerSecond: this.throughput(),
      consumerLag: lag?.lagSeconds ?? null,
      queueDepth: lag?.total ?? null,
      /** Why consumerLag/queueDepth are null (null when measured). */
      lagReason: this.lagReason(),
      /** The last failure reading the lag, shown even while an older sample is still served. */
      lagError: this.lag?.lastError ?? null,
      errorRate: test && handled > 0 ? test.errors / handled : null,
      lag,
      postgres: this.backends?.postgres ?? null,
      redis: this.backends?.redis ?? null,
    };
  }

  bottlenecks(windowSeconds: number, nowMs = Date.now()): Verdict[] {
    const since = nowMs - windowSeconds * 1000;
    const views = this.scraper.views();
    const lag = this.lag?.view() ?? null;
    return detectBottlenecks({
      windowSeconds,
      nodes: views.map((n) => ({
        id: n.id ?? n.url,
        role: n.role ?? 'unknown',
        up: n.up,
        samples: n.history.filter((s) => s.atMs >= since),
        stalledPartitions: n.stalledPartitions,
      })),
      throughputPerSecond: this.throughput(views),
      targetRatePerSecond: this.runningTest()?.intendedRatePerSecond ?? null,
      queueDepth: lag?.total ?? null,
      lagStatus: lag ? { status: lag.status, reason: lag.statusReason } : null,
      thresholds: this.thresholds,
      ...(this.network ? { network: this.network.history(since) } : {}),
    });
  }

  /** What the dashboard receives once a second. */
  snapshot(nowMs = Date.now()) {
    const { lag: _lag, postgres: _postgres, redis: _redis, ...cluster } = this.cluster();
    return {
      atMs: nowMs,
      cluster,
      nodes: this.nodes(),
      latency: this.windows.summaries(60, nowMs),
      bottlenecks: this.bottlenecks(30, nowMs),
      loadTest: this.runningTest(),
    };
  }
}
