// The seed's four bottleneck rules (CPU, memory, queue, I/O) plus lag trend, event-loop lag, GC and node-down,
// evaluated over a window of samples; every verdict carries its evidence. The rules are pure: samples in, verdicts out.
import { AppError } from '@logperf/core';
import { z } from 'zod';
import type { LagStatus } from './lag-watcher.js';
import type { NodeSample } from './node-scraper.js';

export interface BottleneckThresholds {
  cpuPercent: number;
  /** CPU only counts as a bottleneck while throughput is below this share of the target. */
  throughputShareOfTarget: number;
  memoryPercent: number;
  queueDepth: number;
  ioPercent: number;
  eventLoopLagMs: number;
  /** Share of wall time spent in GC pauses. */
  gcShare: number;
}

export const DEFAULT_THRESHOLDS: BottleneckThresholds = {
  cpuPercent: 75,
  throughputShareOfTarget: 0.8,
  memoryPercent: 80,
  queueDepth: 1000,
  ioPercent: 80,
  eventLoopLagMs: 100,
  gcShare: 0.05,
};

const percent = z.number().gt(0).max(100);
const thresholdsSchema = z
  .strictObject({
    cpuPercent: z.number().gt(0).max(6400),
    throughputShareOfTarget: z.number().gt(0).max(1),
    memoryPercent: percent,
    queueDepth: z.number().int().min(1),
    ioPercent: percent,
    eventLoopLagMs: z.number().gt(0),
    gcShare: z.number().gt(0).max(1),
  })
  .partial();

/** The defaults with overrides from LOGPERF_MONITOR_THRESHOLDS (JSON); a bad value is a clear start-up error. */
export function thresholdsFrom(json: string | undefined): BottleneckThresholds {
  if (json === undefined) return DEFAULT_THRESHOLDS;
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new AppError('INVALID_CONFIG', 'LOGPERF_MONITOR_THRESHOLDS / --thresholds: not valid JSON');
  }
  const parsed = thresholdsSchema.safeParse(raw);
  if (!parsed.success)
    throw new AppError(
      'INVALID_CONFIG',
      `LOGPERF_MONITOR_THRESHOLDS / --thresholds: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    );
  return { ...DEFAULT_THRESHOLDS, ...parsed.data };
}

const MB = 1024 * 1024;

/** What the node itself holds: its resident memory and its embedded store (in memory or on disk). */
function ownMemory(sample: NodeSample | undefined): string {
  if (sample?.rssBytes == null) return '';
  const store =
    sample.storeBytes == null
      ? ''
      : `, embedded store ${Math.round(sample.storeBytes / MB)} MB ${sample.storeInMemory ? 'in memory' : 'on disk'}`;
  return ` (the node's process: rss ${Math.round(sample.rssBytes / MB)} MB${store})`;
}

export interface BottleneckInput {
  windowSeconds: number;
  nodes: { id: string; role: string; up: boolean; samples: NodeSample[] }[];
  throughputPerSecond: number;
  targetRatePerSecond: number | null;
  queueDepth: number | null;
  lagStatus: { status: LagStatus; reason: string } | null;
  thresholds: BottleneckThresholds;
}

export interface Verdict {
  rule: 'cpu' | 'memory' | 'queue' | 'consumer-lag' | 'io' | 'event-loop' | 'gc' | 'node-down';
  resource: string;
  component: string;
  severity: 'warning' | 'critical';
  metric: string;
  value: number;
  threshold: number;
  windowSeconds: number;
  affectedNodes: string[];
  evidence: string;
  recommendation: string;
}

/** A node needs this many samples in the window before a mean means anything. */
const MIN_SAMPLES = 3;
const round = (n: number) => Math.round(n * 10) / 10;

function mean(samples: NodeSample[], pick: (s: NodeSample) => number | null): number | null {
  const values = samples.map(pick).filter((v): v is number => v !== null && Number.isFinite(v));
  return values.length >= MIN_SAMPLES ? values.reduce((a, b) => a + b, 0) / values.length : null;
}

export function detectBottlenecks(input: BottleneckInput): Verdict[] {
  const { thresholds: t, windowSeconds } = input;
  const verdicts: Verdict[] = [];
  const base = { windowSeconds };
  const perNode = (pick: (s: NodeSample) => number | null, limit: number) =>
    input.nodes
      .filter((n) => n.up)
      .flatMap((n) => {
        const value = mean(n.samples, pick);
        return value !== null && value > limit ? [{ node: n, value }] : [];
      });
  const worst = <T extends { value: number }>(hits: T[]) => hits.reduce((a, b) => (b.value > a.value ? b : a));

  for (const node of input.nodes.filter((n) => !n.up)) {
    verdicts.push({
      ...base,
      rule: 'node-down',
      resource: 'availability',
      component: node.role,
      severity: 'critical',
      metric: 'up',
      value: 0,
      threshold: 1,
      affectedNodes: [node.id],
      evidence: `${node.id} (${node.role}) stopped answering its stats endpoint`,
      recommendation:
        'Restart the node or replace it; its partitions move to the other consumers after the session timeout',
    });
  }

  const target = input.targetRatePerSecond;
  const belowTarget = target === null || input.throughputPerSecond < t.throughputShareOfTarget * target;
  const cpu = perNode((s) => s.cpuPercent, t.cpuPercent);
  if (cpu.length > 0 && belowTarget) {
    const w = worst(cpu);
    const throughput =
      target === null
        ? `throughput ${round(input.throughputPerSecond)}/s (no target rate known)`
        : `throughput ${round(input.throughputPerSecond)}/s is below ${t.throughputShareOfTarget * 100}% of the target ${round(target)}/s`;
    verdicts.push({
      ...base,
      rule: 'cpu',
      resource: 'cpu',
      component: w.node.role,
      severity: w.value > 90 ? 'critical' : 'warning',
      metric: 'process cpu % of one core (mean)',
      value: round(w.value),
      threshold: t.cpuPercent,
      affectedNodes: cpu.map((h) => h.node.id),
      evidence: `${cpu.map((h) => `${h.node.id} at ${round(h.value)}%`).join(', ')} CPU over ${windowSeconds} s while ${throughput}`,
      recommendation: 'Scale horizontally: add 2–4 nodes (processor instances) of the saturated role',
    });
  }

  const memory = perNode((s) => s.memoryPercent, t.memoryPercent);
  if (memory.length > 0) {
    const w = worst(memory);
    verdicts.push({
      ...base,
      rule: 'memory',
      resource: 'memory',
      component: w.node.role,
      severity: w.value > 90 ? 'critical' : 'warning',
      metric: 'memory used % (mean)',
      value: round(w.value),
      threshold: t.memoryPercent,
      affectedNodes: memory.map((h) => h.node.id),
      evidence: `memory at ${round(w.value)}% on ${memory.map((h) => h.node.id).join(', ')} over ${windowSeconds} s${ownMemory(w.node.samples.at(-1))}`,
      recommendation: 'Increase the heap by 25% (--max-old-space-size) and tune GC; look for retained batches',
    });
  }

  if (input.queueDepth !== null && input.queueDepth > t.queueDepth) {
    verdicts.push({
      ...base,
      rule: 'queue',
      resource: 'queue',
      component: 'queue',
      severity: input.queueDepth > 10 * t.queueDepth ? 'critical' : 'warning',
      metric: 'consumer lag (events)',
      value: input.queueDepth,
      threshold: t.queueDepth,
      affectedNodes: input.nodes.filter((n) => n.role === 'processor').map((n) => n.id),
      evidence: `${input.queueDepth} events wait in the topic`,
      recommendation: 'Increase Kafka partitions and scale consumers (processor instances) to match',
    });
  }
  if (input.lagStatus && input.lagStatus.status !== 'OK') {
    verdicts.push({
      ...base,
      rule: 'consumer-lag',
      resource: 'queue',
      component: 'queue',
      severity: input.lagStatus.status === 'WARN' ? 'warning' : 'critical',
      metric: 'lag status (Burrow)',
      value: input.queueDepth ?? 0,
      threshold: 0,
      affectedNodes: input.nodes.filter((n) => n.role === 'processor').map((n) => n.id),
      evidence: `${input.lagStatus.status}: ${input.lagStatus.reason}`,
      recommendation:
        input.lagStatus.status === 'WARN'
          ? 'Consumers fall behind: add processor instances (up to the partition count) or raise batch sizes'
          : 'Consumers stopped committing: check processor health and the store',
    });
  }

  const io = perNode((s) => s.ioUtilPercent, t.ioPercent);
  if (io.length > 0) {
    const w = worst(io);
    verdicts.push({
      ...base,
      rule: 'io',
      resource: 'disk',
      component: w.node.role,
      severity: w.value > 95 ? 'critical' : 'warning',
      metric: 'disk busy % (mean)',
      value: round(w.value),
      threshold: t.ioPercent,
      affectedNodes: io.map((h) => h.node.id),
      evidence: `disk busy ${round(w.value)}% of the time over ${windowSeconds} s`,
      recommendation: 'Upgrade storage or increase buffers (larger batches, fewer commits)',
    });
  }

  const loop = perNode((s) => s.eventLoopLagP99Ms, t.eventLoopLagMs);
  if (loop.length > 0) {
    const w = worst(loop);
    verdicts.push({
      ...base,
      rule: 'event-loop',
      resource: 'event-loop',
      component: w.node.role,
      severity: w.value > 5 * t.eventLoopLagMs ? 'critical' : 'warning',
      metric: 'event-loop delay p99 ms (mean)',
      value: round(w.value),
      threshold: t.eventLoopLagMs,
      affectedNodes: loop.map((h) => h.node.id),
      evidence: `event loop delayed ${round(w.value)} ms at p99 on ${loop.map((h) => h.node.id).join(', ')}`,
      recommendation: 'Move synchronous work off the loop (smaller batches, fewer JSON round trips) or add instances',
    });
  }

  const gc = perNode((s) => (s.gcPauseMs === null ? null : s.gcPauseMs / 1000), t.gcShare);
  if (gc.length > 0) {
    const w = worst(gc);
    verdicts.push({
      ...base,
      rule: 'gc',
      resource: 'memory',
      component: w.node.role,
      severity: w.value > 4 * t.gcShare ? 'critical' : 'warning',
      metric: 'share of time in GC pauses',
      value: Number(w.value.toFixed(3)),
      threshold: t.gcShare,
      affectedNodes: gc.map((h) => h.node.id),
      evidence: `GC pauses take ${round(w.value * 100)}% of wall time on ${gc.map((h) => h.node.id).join(', ')}`,
      recommendation: 'Increase the heap (--max-old-space-size) and cut per-event allocation',
    });
  }
  return verdicts;
}
