// Scrapes every node's /api/node/stats each interval: turns cumulative histograms into intervals, keeps a short
// history of resource samples, and marks a node down once it has not answered for `downAfterMs`.
// Registered nodes are origins only, at most MAX_REGISTERED, forgotten when their heartbeat stops; redirects are not followed.
import { AppError, LatencyHistogram } from '@logperf/core';
import { nodeStatsSchema, type NodeSample, type NodeStats } from '@logperf/measurements';
import type { LatencyWindows } from './latency-windows.js';

export interface NodeView {
  url: string;
  id: string | null;
  role: string | null;
  /** The node's process (several nodes share one in `logperf up`), null until it answered. */
  pid: number | null;
  up: boolean;
  lastSeenMs: number | null;
  lastError: string | null;
  rssBytes: number | null;
  eventsTotal: number;
  runningTest: unknown;
  /** Bus partitions the node's consumers hold with lag and no progress, as of its last answer. */
  stalledPartitions: number[];
  latest: NodeSample | null;
  /** Newest last, at most HISTORY samples. */
  history: NodeSample[];
}

const HISTORY = 3600;
export const MAX_REGISTERED_NODES = 64;
/** Nodes announce themselves every 5 s; six missed heartbeats and a registration is forgotten. */
export const REGISTRATION_TTL_MS = 30_000;

type Scraped = NodeView & { previous: Map<string, LatencyHistogram>; expiresAtMs: number | null };

export class NodeScraper {
  private readonly nodes = new Map<string, Scraped>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly windows: LatencyWindows,
    private readonly options: { intervalMs: number; downAfterMs: number },
  ) {}

  /** Adds a configured node (scraped for as long as the monitor runs); known URLs are left as they are. */
  addNode(url: string): void {
    this.add(url.replace(/\/+$/, ''), null);
  }

  /** A node's heartbeat: its origin, kept for REGISTRATION_TTL_MS from now; 422 past MAX_REGISTERED_NODES. */
  register(origin: string, nowMs = Date.now()): void {
    this.forgetExpired(nowMs);
    const known = this.nodes.get(origin);
    if (known) {
      if (known.expiresAtMs !== null) known.expiresAtMs = nowMs + REGISTRATION_TTL_MS;
      return;
    }
    const registered = [...this.nodes.values()].filter((n) => n.expiresAtMs !== null).length;
    if (registered >= MAX_REGISTERED_NODES)
      throw new AppError('UNPROCESSABLE', `at most ${MAX_REGISTERED_NODES} registered nodes; ${origin} was not added`);
    this.add(origin, nowMs + REGISTRATION_TTL_MS);
  }

  private forgetExpired(nowMs: number): void {
    for (const [key, node] of this.nodes)
      if (node.expiresAtMs !== null && node.expiresAtMs < nowMs) this.nodes.delete(key);
  }

  private add(key: string, expiresAtMs: number | null): void {
    if (this.nodes.has(key)) return;
    this.nodes.set(key, {
      expiresAtMs,
      url: key,
      id: null,
      role: null,
      pid: null,
      up: false,
      lastSeenMs: null,
      lastError: 'not scraped yet',
      rssBytes: null,
      eventsTotal: 0,
      runningTest: null,
      stalledPartitions: [],
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
    return [...this.nodes.values()].map(({ previous: _previous, expiresAtMs: _expiresAtMs, ...view }) => view);
  }

  async scrapeAll(nowMs = Date.now()): Promise<void> {
    this.forgetExpired(nowMs);
    await Promise.all([...this.nodes.values()].map((node) => this.scrape(node, nowMs)));
  }

  private async scrape(node: Scraped, nowMs: number): Promise<void> {
    try {
      const res = await fetch(`${node.url}/api/node/stats`, {
        signal: AbortSignal.timeout(Math.max(200, this.options.intervalMs - 100)),
        // A node answers itself; a redirect elsewhere would make the monitor a proxy to any address.
        redirect: 'manual',
      });
      if (res.status >= 300 && res.status < 400) throw new Error(`HTTP ${res.status} redirect, not followed`);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const parsed = nodeStatsSchema.safeParse(await res.json());
      if (!parsed.success)
        throw new Error(
          `not a node's stats: ${parsed.error.issues
            .map((i) => `${i.path.join('.')}: ${i.message}`)
            .join('; ')
            .slice(0, 300)}`,
        );
      this.absorb(node, parsed.data, nowMs);
    } catch (error) {
      node.lastError = (error as Error).message;
    }
    // Down is decided by silence, not by one failed scrape, and never averaged away.
    node.up = node.lastSeenMs !== null && nowMs - node.lastSeenMs <= this.options.downAfterMs;
  }

  private absorb(node: Scraped, stats: NodeStats, nowMs: number): void {
    const restarted = node.id !== null && node.id !== stats.id;
    node.id = stats.id;
    node.role = stats.role;
    node.pid = stats.pid ?? null;
    node.lastSeenMs = nowMs;
    node.lastError = null;
    node.rssBytes = stats.resources?.rssBytes ?? null;
    node.eventsTotal = stats.events?.total ?? 0;
    node.runningTest = stats.runningTest ?? null;
    node.stalledPartitions = (stats.processor?.members ?? []).flatMap((m) => m.stalledPartitions ?? []);
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
      waitsMs: stats.waits ? Object.fromEntries(Object.entries(stats.waits).map(([k, w]) => [k, w.oldestMs])) : null,
    };
    node.latest = sample;
    node.history.push(sample);
    if (node.history.length > HISTORY) node.history.shift();
  }
}
