// The per-second signals a run is diagnosed from, each with its threshold, basis and role: per-node resources, the
// host's CPU, nodes down, the store's own write time (causes) and consumer lag and staleness (symptoms).
import { NODE_RULES, type BottleneckThresholds, type HistoryNode } from '@logperf/measurements';
import { windowText, round, SUSTAIN, type Signal } from './finding.js';
import { componentLatency, type RunData } from './run-data.js';
import { median, samplesByNode } from '@logperf/core';

const secondOf = (run: RunData, atMs: number) => Math.floor((atMs - run.startedAt) / 1000);

/** Per node and rule of the shared node table, the per-second series its threshold applies to (mean over the seconds past it). */
export function nodeSignals(run: RunData, t: BottleneckThresholds): Signal[] {
  const byNode = new Map<string, { role: string; rows: { second: number; sample: HistoryNode }[] }>();
  for (const [id, { role, samples }] of samplesByNode(run.history)) {
    const up = samples.filter((s) => s.up);
    if (up.length > 0) byNode.set(id, { role, rows: up.map((s) => ({ second: secondOf(run, s.atMs), sample: s })) });
  }
  return [...byNode.entries()].flatMap(([id, { role, rows }]) =>
    NODE_RULES.map((k): Signal => ({
      rule: k.rule,
      resource: k.resource,
      component: role,
      role: 'cause',
      metric: k.metric,
      basis: 'mean',
      threshold: t[k.thresholdKey],
      perSecond: rows.flatMap((r) => {
        const value = k.pick(r.sample);
        return value === null || !Number.isFinite(value) ? [] : [{ second: r.second, value }];
      }),
      evidence: (e) => k.evidence(`${id} (${role})`, windowText(e)),
      recommendation: k.recommendation(role),
      affectedNodes: [id],
    })),
  );
}

/** A node the monitor could not scrape (killed, frozen, or its host unreachable): 1 per second it was down. */
export function nodeDownSignals(run: RunData): Signal[] {
  return [...samplesByNode(run.history)].map(([id, { role, samples }]) => ({
    rule: 'node-down',
    resource: 'availability',
    component: role,
    role: 'cause',
    metric: 'node unreachable (1 when its metrics could not be read)',
    basis: 'peak',
    threshold: 0.5,
    perSecond: samples.map((s) => ({ second: secondOf(run, s.atMs), value: s.up ? 0 : 1 })),
    evidence: (e) =>
      `${id} (${role}) did not answer the monitor for ${e.secondsPast} s between +${e.firstSecond} s and +${e.lastSecond} s`,
    recommendation: `Restart or replace the ${role}; run more than one so the others take over its work`,
    affectedNodes: [id],
  }));
}

/** Host CPU (all cores) past which the machine itself is the limit: every process on it waits for a core. */
export const HOST_CPU_PERCENT = 85;
/** Start-up (JIT, connections, consumer-group join) keeps every core busy for a few seconds whatever the rate. */
const HOST_WARMUP_SECONDS = 5;

/** The busiest host's CPU per second, as the nodes report the machine they run on. */
export function hostCpuSignal(run: RunData): Signal | undefined {
  const perSecond: { second: number; value: number }[] = [];
  const reporting = new Set<string>();
  for (const row of run.history) {
    const second = secondOf(run, row.atMs);
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
    role: 'cause',
    metric: 'host CPU % (all cores)',
    basis: 'mean',
    threshold: HOST_CPU_PERCENT,
    perSecond,
    evidence: (e) => `the host's CPUs (all cores) were busy: ${windowText(e, '%')}; every process on it shares them`,
    recommendation:
      'The machine is out of CPU: give the load generator, Kafka and PostgreSQL their own machines or add cores; more instances on this host only share the same cores',
    affectedNodes: [...reporting],
  };
}

/**
 * The store's own write time, p99 per second, against its floor (the first fifth of the run). A single write that took
 * SUSTAIN seconds or more is a sustained stall by itself: it was in progress for that long before it was recorded.
 */
export function storeSignal(run: RunData): Signal | undefined {
  const perSecond = componentLatency(run, 'store').seconds.map((s) => ({ second: s.second, value: s.p99 }));
  if (perSecond.length < SUSTAIN) return undefined;
  const floor = median(perSecond.slice(0, Math.max(3, Math.floor(perSecond.length / 5))).map((p) => p.value));
  return {
    rule: 'store',
    resource: 'store',
    component: 'store',
    role: 'cause',
    metric: 'store write time p99 ms',
    basis: 'peak',
    threshold: round(Math.max(3 * floor, 50)),
    perSecond,
    sustainedAlone: (ms) => (ms >= SUSTAIN * 1000 ? Math.floor(ms / 1000) : null),
    evidence: (e) => `store writes slowed (floor ${round(floor)} ms): ${windowText(e, ' ms')}`,
    recommendation:
      'The store limits: look for locks and waits on the events table (pg_locks, pg_stat_activity), then larger batches per write, a bigger pool or faster storage',
    affectedNodes: [],
  };
}

export function lagSignal(run: RunData, t: BottleneckThresholds): Signal | undefined {
  const perSecond = run.history.flatMap((row) =>
    row.queueDepth === null ? [] : [{ second: secondOf(run, row.atMs), value: row.queueDepth }],
  );
  if (perSecond.length < SUSTAIN) return undefined;
  return {
    rule: 'consumer-lag',
    resource: 'queue',
    component: 'processor',
    role: 'symptom',
    metric: 'consumer lag (events)',
    basis: 'peak',
    threshold: t.queueDepth,
    perSecond,
    evidence: (e) =>
      `consumer lag: ${windowText(e, ' events')}, growing ${Math.round(e.slopePerSecond)} events/s over those seconds`,
    recommendation:
      'Consumers fall behind: add processor instances up to the partition count, then partitions; or raise the processor batch size',
    affectedNodes: [],
  };
}

/** Seconds nothing was stored while acknowledged events waited past which the pipeline counts as stalled. */
export const STALE_SECONDS = 3;

/**
 * Staleness per second: how long since the stored count last moved (the processors' events/s in the monitor's history)
 * while more events had been acknowledged (the generator's timeline) than stored. Only seconds both sides measured.
 */
export function stalenessSignal(run: RunData): Signal | undefined {
  if (run.history.length < SUSTAIN || run.seconds.length === 0) return undefined;
  const ackedBy = new Map<number, number>();
  let acked = 0;
  for (const s of run.seconds) ackedBy.set(s.second, (acked += s.acknowledged));
  const perSecond: { second: number; value: number }[] = [];
  let stored = 0;
  let lastMoved: number | null = null;
  for (const row of run.history) {
    const second = secondOf(run, row.atMs);
    const ackedNow = ackedBy.get(second);
    if (row.throughput > 0) lastMoved = second;
    stored += row.throughput;
    if (ackedNow === undefined || lastMoved === null) continue;
    perSecond.push({ second, value: ackedNow > stored ? second - lastMoved : 0 });
  }
  return {
    rule: 'staleness',
    resource: 'pipeline',
    component: 'processor',
    role: 'symptom',
    metric: 'seconds since the stored count last moved while acknowledged events waited',
    basis: 'peak',
    threshold: STALE_SECONDS,
    perSecond,
    evidence: (e) =>
      `nothing was stored for up to ${Math.round(e.value)} s while acknowledged events waited (threshold ${e.threshold} s; stalled ${e.secondsPast} s between +${e.firstSecond} s and +${e.lastSecond} s)`,
    recommendation: 'A stage after the gateway stopped: check the processors, the broker and the store in that order',
    affectedNodes: [],
  };
}
