// Names what limits a run: each signal's finding (raised only past its threshold, on a stated basis), ranked causes
// first (a stage or resource whose own measure rose), then symptoms (queues and waits in front of a cause), each
// symptom naming the cause it follows; the knee says when latency left its floor.
import {
  DEFAULT_THRESHOLDS,
  detectBottlenecks,
  type BottleneckThresholds,
  type HistoryRow,
} from '@logperf/measurements';
import { eventFindings } from './event-findings.js';
import { evaluate, round, SUSTAIN, type Finding } from './finding.js';
import { componentLatency, type RunData } from './run-data.js';
import { hostCpuSignal, lagSignal, nodeDownSignals, nodeSignals, stalenessSignal, storeSignal } from './signals.js';
import { median, samplesByNode } from '@logperf/core';

export type { Finding } from './finding.js';

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

/** Which causes a symptom may follow: queues and waits follow any cause; a busy host follows a process on it. */
const explains = (symptom: Finding, cause: Finding): boolean =>
  symptom.rule === 'host-cpu' ? cause.rule === 'cpu' || cause.rule === 'event-loop' : cause.role === 'cause';

/** A cause may be seen a scrape or two after the wait it causes (a frozen node is marked down on a failed scrape). */
const CAUSE_SLACK_SECONDS = 2;

/**
 * Marks as symptoms the findings that follow a cause that began no later (within the slack), and says which (the
 * latest such onset); ranks
 * causes first, each group by confidence then by who came first.
 */
function rank(findings: Finding[]): Finding[] {
  const byStart = (a: Finding, b: Finding) => (a.firstSecond ?? Infinity) - (b.firstSecond ?? Infinity);
  const ranked = findings.map((f) => {
    if (f.role === 'cause' && f.rule !== 'host-cpu') return f;
    const cause = findings
      .filter(
        (c) =>
          c !== f &&
          c.firstSecond !== null &&
          explains(f, c) &&
          (f.firstSecond === null || c.firstSecond <= f.firstSecond + CAUSE_SLACK_SECONDS),
      )
      // The cause whose onset came last before the symptom's: a condition standing since the start explains less.
      .sort((a, b) => byStart(b, a))[0];
    if (!cause) return f;
    const who = cause.component === cause.resource ? cause.component : `${cause.component} ${cause.resource}`;
    const because = `${who}: ${cause.metric} passed ${cause.threshold} from +${cause.firstSecond} s (${cause.basis} ${round(cause.value)})`;
    return { ...f, role: 'symptom' as const, because, evidence: `${f.evidence}, because the ${because}` };
  });
  return ranked.sort(
    (a, b) =>
      (a.role === 'cause' ? 0 : 1) - (b.role === 'cause' ? 0 : 1) || b.confidence - a.confidence || byStart(a, b),
  );
}

export function diagnose(run: RunData, thresholds: BottleneckThresholds = DEFAULT_THRESHOLDS): Diagnosis {
  const knee = findKnee(run);
  const signals = [
    ...nodeSignals(run, thresholds),
    ...nodeDownSignals(run),
    hostCpuSignal(run),
    storeSignal(run),
    lagSignal(run, thresholds),
    stalenessSignal(run),
  ].flatMap((s) => s ?? []);
  const kneeAt = knee?.leftFloorAtSecond ?? null;
  const findings = rank([...signals.flatMap((s) => evaluate(s, kneeAt) ?? []), ...eventFindings(run, knee)]);
  const first = findings[0];
  const kneeText =
    kneeAt === null
      ? `${knee?.metric ?? 'latency'} stayed near its floor`
      : `${knee!.metric} left its floor of ${knee!.floorMs} ms at +${kneeAt} s`;
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
  const nodes = [...samplesByNode(rows)].map(([id, { role, samples }]) => ({
    id,
    role,
    up: samples.at(-1)!.up,
    samples,
  }));
  const throughput = rows.length ? rows.reduce((s, r) => s + r.throughput, 0) / rows.length : 0;
  return detectBottlenecks({
    windowSeconds: rows.length,
    nodes,
    throughputPerSecond: throughput,
    targetRatePerSecond,
    queueDepth: rows.at(-1)?.queueDepth ?? null,
    lagStatus: null,
    thresholds,
  });
}
