// Findings that are not per-second series: the gateway's refusals and the generator's own saturation.
import type { Knee } from './diagnosis.js';
import { round, type Finding } from './finding.js';
import type { RunData } from './run-data.js';

/** Findings that are not series: the generator's own saturation and the gateway's refusals. */
export function eventFindings(run: RunData, knee: Knee | null): Finding[] {
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
      role: 'symptom',
      confidence: round(Math.min(1, 0.5 + share * 5), 2),
      confidenceFrom: `0.5 + 5 × the refused share of intended events (${round(share * 100, 2)}%), at most 1`,
      basis: 'count',
      lastSecond: run.seconds.findLast((s) => s.errors > 0)?.second ?? null,
      secondsPast: run.seconds.filter((s) => s.errors > 0).length,
      because: null,
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
      role: consequence ? 'symptom' : 'cause',
      confidence: consequence ? 0.45 : round(Math.min(0.9, 0.5 + lateShare * 4), 2),
      confidenceFrom: consequence
        ? '0.45 fixed: the generator fell behind only after latency left its floor, so it waited for the cluster'
        : `0.5 + 4 × the late share of sends (${round(lateShare * 100)}%), at most 0.9`,
      basis: 'count',
      lastSecond: null,
      secondsPast: null,
      because: null,
      severity: consequence ? 'warning' : 'critical',
      metric: 'share of sends late by more than 10 ms',
      value: round(lateShare, 4),
      threshold: 0.01,
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
