// One status per result — passed, failed or invalid — with its reason. Invalid: the generator could not keep its
// schedule for reasons of its own (or did not run), so the figures measure the generator, not the target.
// A generator waiting at its in-flight cap is target-limited: a finding, counted in corrected latency, still valid.
import type { TestVerdict, ThresholdVerdict } from '@logperf/measurements';

export type { TestStatus } from '@logperf/measurements';

/** Share of intended events the generator may send late or drop by its own doing before a run is invalid. */
export const GENERATOR_LIMIT_SHARE = 0.01;

export interface VerdictInput {
  /** Why the generator did not run or did not finish (a crashed worker, a target that would not open). */
  generatorFailures: readonly string[];
  intended: number;
  late: number;
  generatorLate: number;
  generatorDropped: number;
  targetLimitedAtSeconds: number | null;
  maxScheduleLagMs: number;
  thresholds: readonly ThresholdVerdict[];
}

export function generatorShare(m: Pick<VerdictInput, 'intended' | 'generatorLate' | 'generatorDropped'>): number {
  return m.intended > 0 ? (m.generatorLate + m.generatorDropped) / m.intended : 0;
}

export function verdictOf(m: VerdictInput): TestVerdict {
  if (m.generatorFailures.length > 0) return { status: 'invalid', reason: m.generatorFailures.join('; ') };
  const share = generatorShare(m);
  if (share > GENERATOR_LIMIT_SHARE)
    return {
      status: 'invalid',
      reason:
        `generator-limited: ${m.generatorLate + m.generatorDropped} of ${m.intended} events (${pct(share)}) were late or ` +
        `dropped for the generator's own reasons (its CPU, event-loop lag or payload preparation; largest lag ` +
        `${m.maxScheduleLagMs.toFixed(1)} ms), above the ${pct(GENERATOR_LIMIT_SHARE)} allowed`,
    };
  const targetLate = m.late - m.generatorLate;
  const targetNote =
    m.targetLimitedAtSeconds === null
      ? ''
      : `; target-limited from +${m.targetLimitedAtSeconds.toFixed(1)} s: ${targetLate} events waited at the in-flight cap (counted in corrected latency)`;
  const missed = m.thresholds.filter((t) => !t.passed);
  if (missed.length > 0)
    return {
      status: 'failed',
      reason: `missed ${missed.map((t) => `${t.name} (${t.actual === null ? `unknown: ${t.reason ?? 'not measured'}` : Number(t.actual.toFixed(4))}, limit ${t.limit})`).join(', ')}${targetNote}`,
    };
  const met = m.thresholds.length === 0 ? 'no thresholds set' : `all ${m.thresholds.length} thresholds met`;
  return { status: 'passed', reason: `${met}${targetNote}` };
}

const pct = (share: number) => `${Number((share * 100).toFixed(2))} %`;
