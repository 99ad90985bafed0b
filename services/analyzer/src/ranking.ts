// Orders findings so the first names the cause: a stage or resource whose own measure rose is a cause; a queue or wait
// in front of it is a symptom tied to the cause it follows. Causes in the cluster come first, the one that began
// closest before latency left its floor leading; then what was wrong with the measurement itself (the load generator's
// own lateness, GC or loop delay); then symptoms.
import { round, type Finding } from './finding.js';
import { HOST_WARMUP_SECONDS } from './signals.js';

/** The load generator measures the cluster; its own trouble makes a run unreliable but is never the cluster's cause. */
const isGenerator = (f: Finding) => f.rule === 'generator-saturated' || f.component === 'loadgen';

/**
 * Which causes a finding may follow. Queues and waits follow any cause in the cluster; a busy host follows a process
 * that saturated its own core; a process's loop delay or GC follows a host whose cores were all busy (the process
 * waited for a core, its own work did not rise).
 */
const explains = (symptom: Finding, cause: Finding): boolean => {
  if (isGenerator(cause) || cause.role !== 'cause') return false;
  if (symptom.rule === 'host-cpu') return cause.rule === 'cpu';
  if (symptom.rule === 'event-loop' || symptom.rule === 'gc') return cause.rule === 'host-cpu';
  return symptom.role === 'symptom';
};

/** A cause may be seen a scrape or two after the wait it causes (a frozen node is marked down on a failed scrape). */
export const CAUSE_SLACK_SECONDS = 2;

const byStart = (a: Finding, b: Finding) => (a.firstSecond ?? Infinity) - (b.firstSecond ?? Infinity);

/** When a cause began, for tying symptoms: a host busy from its first measured second (after start-up) was busy before. */
const onset = (f: Finding): number | null =>
  f.rule === 'host-cpu' && f.firstSecond !== null && f.firstSecond <= HOST_WARMUP_SECONDS + 1 ? 0 : f.firstSecond;

/** Ties each finding another explains to the latest such cause that began no later (within the slack). */
function tieSymptoms(findings: Finding[]): Finding[] {
  // One pass over the findings as evaluated: a host tied to a process's CPU still explains the loop delay it caused.
  return findings.map((f) => {
    const cause = findings
      .filter(
        (c) =>
          c !== f &&
          onset(c) !== null &&
          explains(f, c) &&
          (f.firstSecond === null || onset(c)! <= f.firstSecond + CAUSE_SLACK_SECONDS),
      )
      // The cause whose onset came last before the finding's: a condition standing since the start explains less.
      .sort((a, b) => byStart(b, a))[0];
    if (!cause) return f;
    const who = cause.component === cause.resource ? cause.component : `${cause.component} ${cause.resource}`;
    const because = `${who}: ${cause.metric} passed ${cause.threshold} from +${cause.firstSecond} s (${cause.basis} ${round(cause.value)})`;
    return { ...f, role: 'symptom' as const, because, evidence: `${f.evidence}, because the ${because}` };
  });
}

/** 0: a cause in the cluster; 1: the generator's own trouble; 2: a symptom. */
const tier = (f: Finding) => (f.role !== 'cause' ? 2 : isGenerator(f) ? 1 : 0);

/**
 * How far a cause's onset lies from the moment latency left its floor: the cause that began just before (within the
 * slack after) explains the rise; one standing long before, or beginning after, explains less. 0 without a knee.
 */
function distanceToKnee(f: Finding, kneeAt: number | null): number {
  if (kneeAt === null || f.firstSecond === null) return 0;
  const before = kneeAt + CAUSE_SLACK_SECONDS - f.firstSecond;
  return before >= 0 ? before : 1000 - before;
}

export function rank(findings: Finding[], kneeAt: number | null): Finding[] {
  return tieSymptoms(onePerCause(findings)).sort(
    (a, b) =>
      tier(a) - tier(b) ||
      (tier(a) === 0 ? distanceToKnee(a, kneeAt) - distanceToKnee(b, kneeAt) : 0) ||
      b.confidence - a.confidence ||
      byStart(a, b),
  );
}

/** Two signals of one stage (the store's write time and its writes in progress) give one finding: the earlier onset. */
function onePerCause(findings: Finding[]): Finding[] {
  const kept = new Map<string, Finding>();
  for (const f of findings) {
    const key = `${f.rule}/${f.component}`;
    const other = kept.get(key);
    const earlier = (f.firstSecond ?? Infinity) < (other?.firstSecond ?? Infinity);
    if (!other || earlier || (f.firstSecond === other.firstSecond && f.confidence > other.confidence)) kept.set(key, f);
  }
  return [...kept.values()];
}
