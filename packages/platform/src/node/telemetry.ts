// A node's own measurements: event counters and per-component latency (HDR for merging, prom-client for Prometheus).
import { LATENCY_BUCKETS_SECONDS, LatencyHistogram, type LatencySummary } from '@logperf/core';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { Waits } from './waits.js';

/** The seed's `component` label values a cluster node records. */
export type Component = 'api-gateway' | 'kafka-produce' | 'queue' | 'store' | 'end-to-end';

const RATE_WINDOW_SECONDS = 10;

export interface CumulativeComponentLatency {
  summary: LatencySummary;
  /** Cumulative since start, HDR compressed base64: subtract two scrapes for an interval. */
  histogram: string;
}

export class NodeTelemetry {
  readonly registry = new Registry();
  /** Backend calls in progress (store, cache, bus): a stall is seen while it lasts. */
  readonly waits = new Waits();
  private readonly histograms = new Map<Component, LatencyHistogram>();
  private readonly eventCounts = new Map<string, number>();
  private readonly eventsCounter: Counter<'stage'>;
  private readonly latencyHistogram: Histogram<'component'>;
  /** Per stage, events counted in each of the last RATE_WINDOW_SECONDS whole seconds, for events/s. */
  private readonly perSecond = new Map<string, { second: number; count: number }[]>();

  constructor(
    readonly nodeId: string,
    readonly role: string,
  ) {
    this.registry.setDefaultLabels({ node: nodeId, role });
    collectDefaultMetrics({ register: this.registry });
    this.eventsCounter = new Counter({
      name: 'cluster_events_total',
      help: 'Events handled by this node, by stage',
      labelNames: ['stage'],
      registers: [this.registry],
    });
    this.latencyHistogram = new Histogram({
      name: 'cluster_latency',
      help: 'Latency per component in seconds',
      labelNames: ['component'],
      buckets: LATENCY_BUCKETS_SECONDS,
      registers: [this.registry],
    });
  }

  recordLatency(component: Component, ms: number): void {
    let histogram = this.histograms.get(component);
    if (!histogram) this.histograms.set(component, (histogram = LatencyHistogram.create()));
    histogram.recordMs(ms);
    this.latencyHistogram.observe({ component }, ms / 1000);
  }

  /** Counts events passing a stage (`accepted` at the gateway, `stored` at the processor, …). */
  countEvents(stage: string, count: number): void {
    if (count <= 0) return;
    this.eventCounts.set(stage, (this.eventCounts.get(stage) ?? 0) + count);
    this.eventsCounter.inc({ stage }, count);
    const second = Math.floor(Date.now() / 1000);
    let seconds = this.perSecond.get(stage);
    if (!seconds) this.perSecond.set(stage, (seconds = []));
    const last = seconds.at(-1);
    if (last?.second === second) last.count += count;
    else seconds.push({ second, count });
    while ((seconds[0]?.second ?? second) < second - RATE_WINDOW_SECONDS) seconds.shift();
  }

  eventsTotal(stage: string): number {
    return this.eventCounts.get(stage) ?? 0;
  }

  /** Mean rate over the last whole seconds (the current, partial second excluded). */
  eventsPerSecond(stage: string, nowMs = Date.now()): number {
    const current = Math.floor(nowMs / 1000);
    const seconds = this.perSecond.get(stage) ?? [];
    const full = seconds.filter((s) => s.second < current && s.second >= current - RATE_WINDOW_SECONDS);
    const windowSeconds = Math.min(RATE_WINDOW_SECONDS, Math.max(1, current - (seconds[0]?.second ?? current)));
    return full.reduce((sum, s) => sum + s.count, 0) / windowSeconds;
  }

  latency(): Record<string, CumulativeComponentLatency> {
    return Object.fromEntries(
      [...this.histograms].map(([component, h]) => [component, { summary: h.summary(), histogram: h.encode() }]),
    );
  }
}
