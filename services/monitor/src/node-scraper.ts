// Scrapes every node's /api/node/stats each interval: turns cumulative histograms into intervals, keeps a short
// history of resource samples, and marks a node down once it has not answered for `downAfterMs`.
import { LatencyHistogram } from '@logperf/core';
import type { LatencyWindows } from './latency-windows.js';

/** The parts of a node's /api/node/stats the monitor reads. */
interface NodeStats {
  id: string;
  role: string;
  events?: { total?: number; perSecond?: number };
  resources?: {
    processCpuPercent?: number | null;
    systemCpuPercent?: number | null;
    memoryPercent?: number | null;
    rssBytes?: number | null;
    diskUtilPercent?: number | null;
    networkRxBytesPerSecond?: number | null;
    networkTxBytesPerSecond?: number | null;
  };
  eventLoop?: { lagP99Ms?: number };
  gc?: { totalPauseMs?: number; maxPauseMs?: number };
  latency?: Record<string, { histogram?: string } | undefined>;
  runningTest?: unknown;
  /** The embedded store of a processor (PGlite): its folder or memory://, and its size. */
  store?: { where?: string; sizeBytes?: number | null } | null;
}

export interface NodeSample {
  atMs: number;
  cpuPercent: number | null;
  systemCpuPercent: number | null;
  memoryPercent: number | null;
  ioUtilPercent: number | null;
  /** Bytes/s through the host's interfaces (loopback has no link speed, so no utilisation %). */
  networkRxBytesPerSecond: number | null;
  networkTxBytesPerSecond: number | null;
  eventLoopLagP99Ms: number | null;
  gcPauseMs: number | null;
  eventsPerSecond: number | null;
  /** The node process's resident memory (absent in history rows written before it was kept). */
  rssBytes?: number | null;
  /** The embedded store's bytes (in memory when storeInMemory), null where the node has none. */
  storeBytes?: number | null;
  storeInMemory?: boolean | null;
}

export interface NodeView {
  url: string;
  id: string | null;
  role: string | null;
  up: boolean;
  lastSeenMs: number | null;
  lastError: string | null;
  rssBytes: number | null;
  eventsTotal: number;
  runningTest: unknown;
  latest: NodeSample | null;
  /** Newest last, at most HISTORY samples. */
  history: NodeSample[];
}

const HISTORY = 3600;

export class NodeScraper {
  private readonly nodes = new Map<string, NodeView & { previous: Map<string, LatencyHistogram> }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly windows: LatencyWindows,
    private readonly options: { intervalMs: number; downAfterMs: number },
  ) {}

  /** Adds a node (from config or a registration); known URLs are left as they are. */
  addNode(url: string): void {
    const key = url.replace(/\/+$/, '');
    if (this.nodes.has(key)) return;
    this.nodes.set(key, {
      url: key,
      id: null,
      role: null,
      up: false,
      lastSeenMs: null,
      lastError: 'not scraped yet',
      rssBytes: null,
      eventsTotal: 0,
      runningTest: null,
      latest: null,
      history: [],
      previous: new Map(),
    });
  }

  start(): void {
    this.timer ??= setInterval(() => void this.scrapeAll(), this.options.intervalMs);
    void this.scrapeAll();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  views(): NodeView[] {
    return [...this.nodes.values()].map(({ previous: _previous, ...view }) => view);
  }

  async scrapeAll(nowMs = Date.now()): Promise<void> {
    await Promise.all([...this.nodes.values()].map((node) => this.scrape(node, nowMs)));
  }

  private async scrape(node: NodeView & { previous: Map<string, LatencyHistogram> }, nowMs: number): Promise<void> {
    try {
      const res = await fetch(`${node.url}/api/node/stats`, {
        signal: AbortSignal.timeout(Math.max(200, this.options.intervalMs - 100)),
      });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      this.absorb(node, (await res.json()) as NodeStats, nowMs);
    } catch (error) {
      node.lastError = (error as Error).message;
    }
    // Down is decided by silence, not by one failed scrape, and never averaged away.
    node.up = node.lastSeenMs !== null && nowMs - node.lastSeenMs <= this.options.downAfterMs;
  }

  private absorb(node: NodeView & { previous: Map<string, LatencyHistogram> }, stats: NodeStats, nowMs: number): void {
    const restarted = node.id !== null && node.id !== stats.id;
    node.id = stats.id;
    node.role = stats.role;
    node.lastSeenMs = nowMs;
    node.lastError = null;
    node.rssBytes = stats.resources?.rssBytes ?? null;
    node.eventsTotal = stats.events?.total ?? 0;
    node.runningTest = stats.runningTest ?? null;
    if (restarted) node.previous.clear();
    for (const [component, latency] of Object.entries(stats.latency ?? {})) {
      if (!latency?.histogram) continue;
      const cumulative = LatencyHistogram.decode(latency.histogram);
      const previous = node.previous.get(component);
      // A count that went down means the node restarted: its whole histogram is new.
      const interval = previous && previous.count <= cumulative.count ? cumulative.clone().minus(previous) : cumulative;
      if (interval.count > 0) this.windows.add(component, interval, nowMs);
      node.previous.set(component, cumulative);
    }
    const r = stats.resources ?? {};
    const sample: NodeSample = {
      atMs: nowMs,
      cpuPercent: r.processCpuPercent ?? null,
      systemCpuPercent: r.systemCpuPercent ?? null,
      memoryPercent: r.memoryPercent ?? null,
      ioUtilPercent: r.diskUtilPercent ?? null,
      networkRxBytesPerSecond: r.networkRxBytesPerSecond ?? null,
      networkTxBytesPerSecond: r.networkTxBytesPerSecond ?? null,
      eventLoopLagP99Ms: stats.eventLoop?.lagP99Ms ?? null,
      gcPauseMs: stats.gc?.totalPauseMs ?? null,
      eventsPerSecond: stats.events?.perSecond ?? null,
      rssBytes: r.rssBytes ?? null,
      storeBytes: stats.store?.sizeBytes ?? null,
      storeInMemory: stats.store?.where === undefined ? null : stats.store.where.startsWith('memory://'),
    };
    node.latest = sample;
    node.history.push(sample);
    if (node.history.length > HISTORY) node.history.shift();
  }
}
