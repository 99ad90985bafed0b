// Names what limits a run: the monitor's rules evaluated where it matters (after latency leaves its floor), the
// cluster's own signals (lag trend, store time, gateway refusals, generator saturation), ranked by confidence; and
// for each, when it crossed its threshold, so the first resource to saturate is told apart from its consequences.
import {
  DEFAULT_THRESHOLDS,
  detectBottlenecks,
  type BottleneckThresholds,
  type HistoryRow,
  type NodeSample,
} from '@logperf/monitor';
import { componentLatency, type RunData } from './run-data.js';
import { fitLine, median } from './statistics.js';

export interface Finding {
  rule: string;
  resource: string;
  component: string;
  /** 0–1: how far past its threshold, how persistently, and whether it came before latency left its floor. */
  confidence: number;
  severity: 'warning' | 'critical';
  metric: string;
  value: number;
  threshold: number;
  /** Seconds after the start when the signal first stayed past its threshold (null when never for 3 s in a row). */
  firstSecond: number | null;
  evidence: string;
  recommendation: string;
  affectedNodes: string[];
}

export interface Knee {
  /** The latency series the knee is taken on. */
  metric: string;
  floorMs: number;
  /** First second from which latency stayed above twice its floor for 3 s; null when it never left it. */
  leftFloorAtSecond: number | null;
}

export interface Diagnosis {
  testId: string | null;
  knee: Knee | null;
  /** Strongest first. */
  findings: Finding[];
  summary: string;
}

const SUSTAIN = 3;
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/** The first index from which `over(i)` holds for SUSTAIN values in a row. */
function firstSustained(length: number, over: (i: number) => boolean): number | null {
  let run = 0;
  for (let i = 0; i < length; i++) {
    run = over(i) ? run + 1 : 0;
    if (run === SUSTAIN) return i - SUSTAIN + 1;
  }
  return null;
}

/** Latency per second: end-to-end from the monitor when it has it, else the generator's corrected p99. */
function latencySeries(run: RunData): { metric: string; seconds: number[]; values: number[] } {
  const e2e = componentLatency(run, 'end-to-end').seconds;
  if (e2e.length >= 6)
    return { metric: 'end-to-end p99', seconds: e2e.map((s) => s.second), values: e2e.map((s) => s.p99) };
  const own = run.seconds.filter((s) => s.latencyMs.count > 0);
  return {
    metric: 'request p99 (corrected)',
    seconds: own.map((s) => s.second),
    values: own.map((s) => s.latencyMs.p99),
  };
}

export function findKnee(run: RunData, warmupSeconds = 2): Knee | null {
  const series = latencySeries(run);
  const start = series.seconds.findIndex((s) => s >= warmupSeconds);
  if (start < 0 || series.values.length - start < 6) return null;
  const values = series.values.slice(start);
  const floorMs = median(values.slice(0, Math.max(3, Math.floor(values.length / 5))));
  const limit = Math.max(2 * floorMs, floorMs + 5);
  const index = firstSustained(values.length, (i) => values[i]! > limit);
  return {
    metric: series.metric,
    floorMs: round(floorMs, 2),
    leftFloorAtSecond: index === null ? null : series.seconds[start + index]!,
  };
}

interface Signal {
  rule: string;
  resource: string;
  component: string;
  metric: string;
  threshold: number;
  perSecond: { second: number; value: number }[];
  evidence: (value: number, first: number | null) => string;
  recommendation: string;
  affectedNodes: string[];
}

/** Per node and resource, the per-second series the thresholds apply to. */
function nodeSignals(run: RunData, t: BottleneckThresholds): Signal[] {
  const byNode = new Map<string, { role: string; rows: { second: number; sample: Omit<NodeSample, 'atMs'> }[] }>();
  for (const row of run.history) {
    for (const node of row.nodes) {
      if (!node.up) continue;
      const entry = byNode.get(node.id) ?? { role: node.role, rows: [] };
      entry.rows.push({ second: Math.floor((row.atMs - run.startedAt) / 1000), sample: node });
      byNode.set(node.id, entry);
    }
  }
  const kinds: {
    rule: string;
    resource: string;
    metric: string;
    threshold: number;
    pick: (s: Omit<NodeSample, 'atMs'>) => number | null;
    recommendation: (role: string) => string;
  }[] = [
    {
      rule: 'cpu',
      resource: 'cpu',
      metric: 'process CPU % of one core',
      threshold: t.cpuPercent,
      pick: (s) => s.cpuPercent,
      recommendation: (role) => `Scale out the ${role}: add instances (the capacity plan says how many)`,
    },
    {
      rule: 'memory',
      resource: 'memory',
      metric: 'memory used %',
      threshold: t.memoryPercent,
      pick: (s) => s.memoryPercent,
      recommendation: () => 'Raise the heap (--max-old-space-size) by 25% and look for retained batches',
    },
    {
      rule: 'io',
      resource: 'disk',
      metric: 'disk busy %',
      threshold: t.ioPercent,
      pick: (s) => s.ioUtilPercent,
      recommendation: () => 'Faster storage or larger, fewer writes (bigger store batches)',
    },
    {
      rule: 'event-loop',
      resource: 'event-loop',
      metric: 'event-loop delay p99 ms',
      threshold: t.eventLoopLagMs,
      pick: (s) => s.eventLoopLagP99Ms,
      recommendation: (role) => `Move synchronous work off the ${role}'s event loop (smaller batches) or add instances`,
    },
    {
      rule: 'gc',
      resource: 'memory',
      metric: 'share of time in GC pauses',
      threshold: t.gcShare,
      pick: (s) => (s.gcPauseMs === null ? null : s.gcPauseMs / 1000),
      recommendation: () => 'Raise the heap and cut per-event allocation',
    },
  ];
  return [...byNode.entries()].flatMap(([id, { role, rows }]) =>
    kinds.map((k) => ({
      rule: k.rule,
      resource: k.resource,
      component: role,
      metric: k.metric,
      threshold: k.threshold,
      perSecond: rows.flatMap((r) => {
        const value = k.pick(r.sample);
        return value === null || !Number.isFinite(value) ? [] : [{ second: r.second, value }];
      }),
      evidence: (value: number, first: number | null) =>
        `${id} (${role}) ${k.metric} ${round(value, k.rule === 'gc' ? 3 : 1)} against ${k.threshold}${first === null ? '' : `, past it from +${first} s`}`,
      recommendation: k.recommendation(role),
      affectedNodes: [id],
    })),
  );
}

/** Host CPU (all cores) past which the machine itself is the limit: every process on it waits for a core. */
const HOST_CPU_PERCENT = 85;
/** Start-up (JIT, connections, consumer-group join) keeps every core busy for a few seconds whatever the rate. */
const HOST_WARMUP_SECONDS = 5;

/**
 * The busiest host's CPU, per second: what the nodes report of the machine they run on. When the host is saturated,
 * no process needs to reach the per-process rule: they all share the same cores (with the brokers, databases and the
 * load generator when those run there too), and each gets less than it could use.
 */
function hostCpuSignal(run: RunData): Signal | undefined {
  const perSecond: { second: number; value: number }[] = [];
  const reporting = new Set<string>();
  for (const row of run.history) {
    const second = Math.floor((row.atMs - run.startedAt) / 1000);
    if (second < HOST_WARMUP_SECONDS) continue;
    const values = row.nodes.filter((n) => n.up && n.systemCpuPercent !== null && Number.isFinite(n.systemCpuPercent));
    if (values.length === 0) continue;
    for (const n of values) reporting.add(n.id);
    perSecond.push({ second, value: Math.max(...values.map((n) => n.systemCpuPercent!)) });
  }
  if (perSecond.length === 0) return undefined;
  return {
    rule: 'host-cpu',
    resource: 'cpu',
    component: 'host',
    metric: 'host CPU % (all cores)',
    threshold: HOST_CPU_PERCENT,
    perSecond,
    evidence: (value, first) =>
      `the host's CPUs were ${round(value)}% busy (all cores)${first === null ? '' : ` from +${first} s`}: every process on it shares the same cores`,
    recommendation:
      'The machine is out of CPU: give the load generator, Kafka and PostgreSQL their own machines or add cores; more instances on this host only share the same cores',
    affectedNodes: [...reporting],
  };
}

function storeSignal(run: RunData): Signal | undefined {
  const perSecond = componentLatency(run, 'store').seconds.map((s) => ({ second: s.second, value: s.p50 }));
  if (perSecond.length < 6) return undefined;
  const floor = median(perSecond.slice(0, Math.max(3, Math.floor(perSecond.length / 5))).map((p) => p.value));
  return {
    rule: 'store',
    resource: 'store',
    component: 'store',
    metric: 'store write time p50 ms',
    threshold: Math.max(3 * floor, 50),
    perSecond,
    evidence: (value, first) =>
      `store writes take ${round(value)} ms at p50 (floor ${round(floor)} ms)${first === null ? '' : `, slow from +${first} s`}`,
    recommendation:
      'The store limits: larger batches per write, a bigger PostgreSQL pool, or faster storage; check locks and indexes on the events table',
    affectedNodes: [],
  };
}

function lagSignal(run: RunData, t: BottleneckThresholds): { signal: Signal; growthPerSecond: number } | undefined {
  const perSecond = run.history.flatMap((row) =>
    row.queueDepth === null ? [] : [{ second: Math.floor((row.atMs - run.startedAt) / 1000), value: row.queueDepth }],
  );
  if (perSecond.length < 6) return undefined;
  const line = fitLine(
    perSecond.map((p) => p.second),
    perSecond.map((p) => p.value),
  );
  return {
    growthPerSecond: line.slope,
    signal: {
      rule: 'consumer-lag',
      resource: 'queue',
      component: 'processor',
      metric: 'consumer lag (events)',
      threshold: t.queueDepth,
      perSecond,
      evidence: (value, first) =>
        `consumer lag reached ${Math.round(value)} events and grew ${Math.round(line.slope)} events/s over the run${first === null ? '' : `, past ${t.queueDepth} from +${first} s`}`,
      recommendation:
        'Consumers fall behind: add processor instances up to the partition count, then partitions; or raise the processor batch size',
      affectedNodes: [],
    },
  };
}

function evaluate(signal: Signal, knee: Knee | null): Finding | undefined {
  const values = signal.perSecond.map((p) => p.value);
  if (values.length < SUSTAIN) return undefined;
  const index = firstSustained(values.length, (i) => values[i]! > signal.threshold);
  if (index === null) return undefined;
  const firstSecond = signal.perSecond[index]!.second;
  const after = values.slice(index);
  const value = median(after);
  const persistence = after.filter((v) => v > signal.threshold).length / after.length;
  const excess = Math.min(1, Math.max(0, value / signal.threshold - 1) * 2);
  const leftAt = knee?.leftFloorAtSecond ?? null;
  // Whatever crossed its threshold by the time latency left its floor may be the cause; what crossed later is not.
  const precedence = leftAt === null ? 0.5 : firstSecond <= leftAt + 2 ? 1 : 0.3;
  const confidence = round(0.35 * excess + 0.25 * persistence + 0.4 * precedence, 2);
  return {
    rule: signal.rule,
    resource: signal.resource,
    component: signal.component,
    confidence,
    severity: value > 1.5 * signal.threshold ? 'critical' : 'warning',
    metric: signal.metric,
    value: round(value, 3),
    threshold: signal.threshold,
    firstSecond,
    evidence: signal.evidence(value, firstSecond),
    recommendation: signal.recommendation,
    affectedNodes: signal.affectedNodes,
  };
}

/** Findings that are not series: the generator's own saturation and the gateway's refusals. */
function eventFindings(run: RunData, knee: Knee | null): Finding[] {
  const findings: Finding[] = [];
  const refused = Object.entries(run.errors).filter(([kind]) => /429|503|overloaded/.test(kind));
  const refusedCount = refused.reduce((sum, [, n]) => sum + n, 0);
  if (refusedCount > 0) {
    const share = refusedCount / Math.max(1, run.intended);
    const first = run.seconds.find((s) => s.errors > 0)?.second ?? null;
    findings.push({
      rule: 'gateway-refusals',
      resource: 'admission',
      component: 'gateway',
      confidence: round(Math.min(1, 0.5 + share * 5), 2),
      severity: share > 0.01 ? 'critical' : 'warning',
      metric: 'requests refused (429/503)',
      value: refusedCount,
      threshold: 0,
      firstSecond: first,
      affectedNodes: [],
      evidence: `the gateway refused ${refusedCount} request(s) (${refused.map(([k, n]) => `${k}: ${n}`).join(', ')}), ${round(share * 100, 2)}% of the intended events${first === null ? '' : `, from +${first} s`}`,
      recommendation: 'The gateway sheds load: add gateway instances or raise its in-flight limit if the bus keeps up',
    });
  }
  const lateShare = run.late / Math.max(1, run.sent);
  // One late send marks a run 'saturated'; only a schedule missed for 1% of the sends or more is a finding.
  if (run.saturated && lateShare >= 0.01) {
    // A generator whose in-flight window filled after latency left its floor is waiting for a slow cluster: a
    // consequence. Before (or without) a knee it is the generator itself that could not keep up.
    const at = run.saturatedAtSeconds;
    const consequence = at !== null && knee?.leftFloorAtSecond != null && at >= knee.leftFloorAtSecond - 1;
    findings.push({
      rule: 'generator-saturated',
      resource: 'load generator',
      component: 'loadgen',
      confidence: consequence ? 0.45 : round(Math.min(0.9, 0.5 + lateShare * 4), 2),
      severity: consequence ? 'warning' : 'critical',
      metric: 'load generator saturated',
      value: 1,
      threshold: 0,
      firstSecond: at === null ? null : Math.floor(at),
      affectedNodes: [],
      evidence: consequence
        ? `the load generator fell behind its schedule at +${Math.floor(at)} s, after latency left its floor: its in-flight requests were waiting for the cluster`
        : `the load generator sent ${round(lateShare * 100)}% of its requests late ${knee?.leftFloorAtSecond == null ? 'while latency stayed near its floor' : 'before the cluster slowed down'}: the numbers measure the generator as much as the cluster`,
      recommendation: consequence
        ? "Raise the generator's in-flight limit to keep offering the intended rate to a slow cluster (open-loop)"
        : "Raise the generator's in-flight limit or batch size, or run it on its own machine, before trusting this run's latency",
    });
  }
  return findings;
}

/**
 * What a finding is a consequence of, when that came first: queues that fill (lag, refusals, a waiting generator)
 * follow any saturated resource; a busy host follows a process that saturated its own core or loop (name that process).
 */
const SYMPTOMS = new Set(['consumer-lag', 'gateway-refusals', 'generator-saturated']);
const explainedBy = (f: Finding): ((cause: Finding) => boolean) | null =>
  SYMPTOMS.has(f.rule)
    ? (c) => !SYMPTOMS.has(c.rule)
    : f.rule === 'host-cpu'
      ? (c) => c.rule === 'cpu' || c.rule === 'event-loop'
      : null;

function discountSymptoms(findings: Finding[]): Finding[] {
  return findings.map((f) => {
    const explains = explainedBy(f);
    if (!explains) return f;
    const earlier = findings.find(
      (c) =>
        c !== f && c.firstSecond !== null && explains(c) && (f.firstSecond === null || c.firstSecond <= f.firstSecond),
    );
    return earlier
      ? {
          ...f,
          confidence: round(f.confidence * 0.8, 2),
          evidence: `${f.evidence} (after ${earlier.component} ${earlier.resource} from +${earlier.firstSecond} s)`,
        }
      : f;
  });
}

export function diagnose(run: RunData, thresholds: BottleneckThresholds = DEFAULT_THRESHOLDS): Diagnosis {
  const knee = findKnee(run);
  const lag = lagSignal(run, thresholds);
  const store = storeSignal(run);
  const host = hostCpuSignal(run);
  const signals = [
    ...nodeSignals(run, thresholds),
    ...(host ? [host] : []),
    ...(lag ? [lag.signal] : []),
    ...(store ? [store] : []),
  ];
  const findings = discountSymptoms([
    ...signals.flatMap((s) => evaluate(s, knee) ?? []),
    ...eventFindings(run, knee),
  ]).sort((a, b) => b.confidence - a.confidence || (a.firstSecond ?? Infinity) - (b.firstSecond ?? Infinity));
  const first = findings[0];
  const kneeText =
    knee?.leftFloorAtSecond == null
      ? 'latency stayed near its floor'
      : `${knee.metric} left its floor of ${knee.floorMs} ms at +${knee.leftFloorAtSecond} s`;
  const summary = first
    ? `${kneeText}; most likely limit: ${first.component} ${first.resource} (${first.evidence})`
    : `${kneeText}; no resource crossed its threshold`;
  return { testId: run.testId, knee, findings, summary };
}

/** The monitor's rules over a recent window of history, for the live view (no test to align to). */
export function diagnoseWindow(
  rows: HistoryRow[],
  thresholds: BottleneckThresholds = DEFAULT_THRESHOLDS,
  targetRatePerSecond: number | null = null,
) {
  const nodes = new Map<string, { id: string; role: string; up: boolean; samples: NodeSample[] }>();
  for (const row of rows) {
    for (const n of row.nodes) {
      const entry = nodes.get(n.id) ?? { id: n.id, role: n.role, up: n.up, samples: [] };
      entry.up = n.up;
      entry.samples.push({ ...n, atMs: row.atMs });
      nodes.set(n.id, entry);
    }
  }
  const throughput = rows.length ? rows.reduce((s, r) => s + r.throughput, 0) / rows.length : 0;
  return detectBottlenecks({
    windowSeconds: rows.length,
    nodes: [...nodes.values()],
    throughputPerSecond: throughput,
    targetRatePerSecond,
    queueDepth: rows.at(-1)?.queueDepth ?? null,
    lagStatus: null,
    thresholds,
  });
}
