// The seed's four bottleneck rules (CPU per node and of the host, memory, queue, I/O of disk and network) plus lag
// trend, event-loop lag, GC, node-down and a stalled consumer-group member, evaluated over a window of samples; every
// verdict carries its evidence. The rules are pure: samples in, verdicts out.
import { AppError } from '@logperf/core';
import { z } from 'zod';
import type { NodeSample } from './history-row.js';
import { NODE_RULES, type NodeRule } from './node-rules.js';
import type { LagStatus, NetworkSample } from './rule-inputs.js';
import { detectStalls, type StallRule } from './stall-rules.js';

export interface BottleneckThresholds {
  cpuPercent: number;
  /** The host's cores, all together (non-idle share of every core's time): past this, nothing more can run. */
  hostCpuPercent: number;
  /** CPU only counts as a bottleneck while throughput is below this share of the target. */
  throughputShareOfTarget: number;
  memoryPercent: number;
  queueDepth: number;
  ioPercent: number;
  eventLoopLagMs: number;
  /** Share of wall time spent in GC pauses. */
  gcShare: number;
  /** A store write, cache update or bus produce in progress this long names that backend as stalled. */
  stallMs: number;
}

export const DEFAULT_THRESHOLDS: BottleneckThresholds = {
  cpuPercent: 75,
  hostCpuPercent: 85,
  throughputShareOfTarget: 0.8,
  memoryPercent: 80,
  queueDepth: 1000,
  ioPercent: 80,
  eventLoopLagMs: 100,
  gcShare: 0.05,
  stallMs: 2000,
};

const percent = z.number().gt(0).max(100);
const thresholdsSchema = z
  .strictObject({
    cpuPercent: z.number().gt(0).max(6400),
    hostCpuPercent: percent,
    throughputShareOfTarget: z.number().gt(0).max(1),
    memoryPercent: percent,
    queueDepth: z.number().int().min(1),
    ioPercent: percent,
    eventLoopLagMs: z.number().gt(0),
    gcShare: z.number().gt(0).max(1),
    stallMs: z.number().gt(0),
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
  nodes: { id: string; role: string; up: boolean; samples: NodeSample[]; stalledPartitions?: number[] }[];
  throughputPerSecond: number;
  targetRatePerSecond: number | null;
  queueDepth: number | null;
  lagStatus: { status: LagStatus; reason: string } | null;
  thresholds: BottleneckThresholds;
  /** The host's interfaces over the window; absent where nobody measured them (a stored run). */
  network?: NetworkSample[];
}

export interface Verdict {
  rule:
    | 'cpu'
    | 'host-cpu'
    | 'memory'
    | 'queue'
    | 'consumer-lag'
    | 'io'
    | 'event-loop'
    | 'gc'
    | 'node-down'
    | 'member-stalled'
    | StallRule;
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
  /** A rule of the node table over each up node's mean; `more` adds what only the live window knows. */
  const nodeRule = (
    name: NodeRule['rule'],
    more: (worstNode: BottleneckInput['nodes'][number]) => string = () => '',
  ) => {
    const r = NODE_RULES.find((candidate) => candidate.rule === name)!;
    const threshold = t[r.thresholdKey];
    const hits = perNode(r.pick, threshold);
    if (hits.length === 0) return;
    const w = worst(hits);
    const value = r.rule === 'gc' ? Number(w.value.toFixed(3)) : round(w.value);
    const who = hits.map((h) => `${h.node.id} (${h.node.role})`).join(', ');
    verdicts.push({
      ...base,
      rule: r.rule,
      resource: r.resource,
      component: w.node.role,
      severity: r.critical(w.value, threshold) ? 'critical' : 'warning',
      metric: `${r.metric} (mean)`,
      value,
      threshold,
      affectedNodes: hits.map((h) => h.node.id),
      evidence: `${r.evidence(who, `mean ${value} over ${windowSeconds} s against a threshold of ${threshold}`)}${more(w.node)}`,
      recommendation: r.recommendation(w.node.role),
    });
  };

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

  // A backend that does not return is the cause; the lag and stalled members in front of it follow from it.
  for (const stall of detectStalls(input.nodes, t.stallMs, windowSeconds)) verdicts.push({ ...base, ...stall });

  // Up and answering, yet holding partitions it does not move: lag grows there while every health check but its own is green.
  for (const node of input.nodes.filter((n) => n.up && (n.stalledPartitions?.length ?? 0) > 0)) {
    const partitions = node.stalledPartitions ?? [];
    verdicts.push({
      ...base,
      rule: 'member-stalled',
      resource: 'consumer-group',
      component: node.role,
      severity: 'critical',
      metric: 'stalled partitions',
      value: partitions.length,
      threshold: 0,
      affectedNodes: [node.id],
      evidence: `${node.id} (${node.role}) holds partitions ${partitions.join(', ')} with lag and no fetch or commit progress`,
      recommendation:
        'The member re-creates its consumer by itself; if the stall repeats, read its log (kafka consumer stalled) and restart it',
    });
  }

  const target = input.targetRatePerSecond;
  const belowTarget = target === null || input.throughputPerSecond < t.throughputShareOfTarget * target;
  if (belowTarget) {
    nodeRule('cpu', () =>
      target === null
        ? ` while throughput is ${round(input.throughputPerSecond)}/s (no target rate known)`
        : ` while throughput ${round(input.throughputPerSecond)}/s is below ${t.throughputShareOfTarget * 100}% of the target ${round(target)}/s`,
    );
  }

  // Each node reads its own host's /proc/stat: nodes on one host report the same figure, so the busiest one stands for it.
  const host = perNode((s) => s.systemCpuPercent, t.hostCpuPercent);
  if (host.length > 0) {
    const w = worst(host);
    const own = input.nodes
      .filter((n) => n.up)
      .map((n) => ({ id: n.id, value: mean(n.samples, (s) => s.cpuPercent) }))
      .filter((n): n is { id: string; value: number } => n.value !== null);
    const ownText =
      own.length === 0
        ? 'no node reported its own CPU'
        : `the nodes' own processes use ${own.map((n) => `${n.id} ${round(n.value)}%`).join(', ')} of one core`;
    verdicts.push({
      ...base,
      rule: 'host-cpu',
      resource: 'cpu',
      component: 'host',
      severity: w.value >= 95 ? 'critical' : 'warning',
      metric: 'host CPU % of all cores (mean)',
      value: round(w.value),
      threshold: t.hostCpuPercent,
      affectedNodes: host.map((h) => h.node.id),
      evidence: `all cores of the host ${round(w.value)}% busy over ${windowSeconds} s (seen by ${host.map((h) => h.node.id).join(', ')}); ${ownText}`,
      recommendation:
        'The host has no CPU left: move work off it (other processes, or some nodes to another host) before adding nodes here',
    });
  }

  nodeRule('memory', (node) => ownMemory(node.samples.at(-1)));

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

  nodeRule('io');

  const network = networkUse(input.network ?? []).filter((l) => l.percent > t.ioPercent);
  if (network.length > 0) {
    const w = network.reduce((a, b) => (b.percent > a.percent ? b : a));
    verdicts.push({
      ...base,
      rule: 'io',
      resource: 'network',
      component: 'host',
      severity: w.percent > 95 ? 'critical' : 'warning',
      metric: 'network bytes/s % of link speed (mean)',
      value: round(w.percent),
      threshold: t.ioPercent,
      affectedNodes: [],
      evidence: network
        .map((l) => `${l.iface} carries ${round(l.bytesPerSecond / 1e6)} MB/s, ${round(l.percent)}% of its link`)
        .join('; ')
        .concat(` over ${windowSeconds} s`),
      recommendation: 'Upgrade the network link or cut bytes per event (batching, compression)',
    });
  }

  nodeRule('event-loop');
  nodeRule('gc');
  return verdicts;
}

/** Mean use of each interface with a known link speed over the samples (at least MIN_SAMPLES of them). */
export function networkUse(samples: NetworkSample[]): { iface: string; bytesPerSecond: number; percent: number }[] {
  const byIface = new Map<string, { bytes: number[]; link: number }>();
  for (const sample of samples)
    for (const link of sample.links) {
      if (link.linkBytesPerSecond === null) continue;
      const entry = byIface.get(link.iface) ?? { bytes: [], link: link.linkBytesPerSecond };
      entry.bytes.push(link.bytesPerSecond);
      byIface.set(link.iface, entry);
    }
  return [...byIface]
    .filter(([, e]) => e.bytes.length >= MIN_SAMPLES)
    .map(([iface, e]) => {
      const bytesPerSecond = e.bytes.reduce((a, b) => a + b, 0) / e.bytes.length;
      return { iface, bytesPerSecond, percent: (bytesPerSecond / e.link) * 100 };
    });
}
