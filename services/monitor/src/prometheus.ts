// The monitor's /metrics: the seed's series (cluster_events_total, cluster_latency, system_cpu_usage,
// system_memory_usage) for the whole cluster, consumer lag and queue depth, and the monitor's own process metrics.
import { LATENCY_BUCKETS_SECONDS } from '@logperf/core';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { ClusterState } from './cluster-state.js';

export class MonitorMetrics {
  readonly registry = new Registry();
  /** Per node URL the total last seen and its series' labels; a node the scraper forgot is dropped from both. */
  private readonly seenTotals = new Map<string, { total: number; labels: { node: string; role: string } }>();

  constructor(private readonly state: ClusterState) {
    collectDefaultMetrics({ register: this.registry, prefix: 'monitor_' });
    const registers = [this.registry];
    const events = new Counter({
      name: 'cluster_events_total',
      help: 'Events handled, per node and its stage (processor: stored, gateway: accepted)',
      labelNames: ['node', 'role'],
      registers,
    });
    const perNode = (
      name: string,
      help: string,
      pick: (n: ReturnType<ClusterState['nodes']>[number]) => number | null,
    ) =>
      new Gauge({
        name,
        help,
        labelNames: ['node', 'role'],
        registers,
        collect() {
          this.reset();
          for (const n of state.nodes()) {
            const value = pick(n);
            if (value !== null) this.set({ node: n.id, role: n.role }, value);
          }
        },
      });
    perNode('system_cpu_usage', 'Host CPU utilisation % seen by the node', (n) => n.systemCpuPercent);
    perNode('system_memory_usage', 'Host memory utilisation % seen by the node', (n) => n.memoryPercent);
    perNode('node_process_cpu_percent', 'The node process CPU % of one core', (n) => n.cpuPercent);
    perNode('node_rss_bytes', 'Resident memory of the node process', (n) => n.rssBytes);
    perNode('node_event_loop_lag_p99_seconds', 'Event-loop delay p99 of the node', (n) =>
      n.eventLoopLagP99Ms === null ? null : n.eventLoopLagP99Ms / 1000,
    );
    perNode('node_clock_offset_seconds', "The node's clock minus the monitor's (GET /api/node/clock)", (n) =>
      n.clock.offsetMs === null ? null : n.clock.offsetMs / 1000,
    );
    perNode('node_clock_offset_uncertainty_seconds', 'The bound of node_clock_offset_seconds (±)', (n) =>
      n.clock.uncertaintyMs === null ? null : n.clock.uncertaintyMs / 1000,
    );
    perNode('node_up', '1 while the node answers its stats endpoint', (n) => (n.up ? 1 : 0));
    new Gauge({
      name: 'cluster_consumer_lag',
      help: 'Events not yet committed by the processor group, per partition',
      labelNames: ['partition'],
      registers,
      collect() {
        this.reset();
        for (const p of state.lag?.view()?.partitions ?? []) this.set({ partition: String(p.partition) }, p.lag);
      },
    });
    new Gauge({
      name: 'cluster_consumer_lag_seconds',
      help: 'Lag divided by the consume rate',
      registers,
      collect() {
        setOrAbsent(this, state.cluster().consumerLag);
      },
    });
    new Gauge({
      name: 'cluster_queue_depth',
      help: 'Events waiting in the topic (sum of lag)',
      registers,
      collect() {
        setOrAbsent(this, state.cluster().queueDepth);
      },
    });
    // Counters only go up: add each node's growth since the last scrape of /metrics (a restarted node starts again from 0).
    this.syncEvents = () => {
      const nodes = state.nodes();
      for (const n of nodes) {
        const before = this.seenTotals.get(n.url)?.total ?? 0;
        const growth = n.eventsTotal >= before ? n.eventsTotal - before : n.eventsTotal;
        if (growth > 0) events.inc({ node: n.id, role: n.role }, growth);
        this.seenTotals.set(n.url, { total: n.eventsTotal, labels: { node: n.id, role: n.role } });
      }
      // Registered nodes come and go (each restart is a new id, often a new port): without this both grow forever.
      const live = new Set(nodes.map((n) => n.url));
      for (const [url, seen] of this.seenTotals) {
        if (live.has(url)) continue;
        this.seenTotals.delete(url);
        if (!nodes.some((n) => n.id === seen.labels.node)) events.remove(seen.labels);
      }
      return this.seenTotals.size;
    };
  }

  /** Returns how many nodes it tracks (tests). */
  readonly syncEvents: () => number;

  async text(): Promise<string> {
    this.syncEvents();
    return `${await this.registry.metrics()}${this.latencyText()}`;
  }

  /** cluster_latency as a Prometheus histogram, from the merged HDR histograms (everything since the monitor started). */
  private latencyText(): string {
    const lines = [
      '# HELP cluster_latency Latency per component in seconds, merged across nodes',
      '# TYPE cluster_latency histogram',
    ];
    for (const [component, h] of this.state.windows.totals()) {
      const counts = h.countsAtOrBelow(LATENCY_BUCKETS_SECONDS.map((s) => s * 1000));
      LATENCY_BUCKETS_SECONDS.forEach((le, i) =>
        lines.push(`cluster_latency_bucket{component="${component}",le="${le}"} ${counts[i]}`),
      );
      lines.push(`cluster_latency_bucket{component="${component}",le="+Inf"} ${h.count}`);
      lines.push(`cluster_latency_sum{component="${component}"} ${(h.summary().meanMs * h.count) / 1000}`);
      lines.push(`cluster_latency_count{component="${component}"} ${h.count}`);
    }
    return `${lines.join('\n')}\n`;
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

/**
 * An unknown figure is an absent series, not a 0: prom-client keeps a label-less gauge at 0 even after reset(), so
 * its value map is emptied by hand when there is nothing measured.
 */
function setOrAbsent(gauge: Gauge, value: number | null): void {
  if (value === null) (gauge as unknown as { hashMap: Record<string, unknown> }).hashMap = {};
  else gauge.set(value);
}
