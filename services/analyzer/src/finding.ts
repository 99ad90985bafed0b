// One finding from one per-second signal: raised only when the signal stayed past its threshold, its value taken on a
// stated basis (peak or mean) over the seconds it was past it, its evidence written from those same numbers, and its
// confidence given with what it was computed from.
import { fitLine } from '@logperf/core';

/** How a finding's value was taken over the seconds its signal stayed past its threshold. */
export type Basis = 'peak' | 'mean' | 'count';

export interface Finding {
  rule: string;
  resource: string;
  component: string;
  /** A cause is a stage or resource whose own measure rose; a symptom is a queue or wait that follows a cause. */
  role: 'cause' | 'symptom';
  /** 0–1, computed as `confidenceFrom` says. */
  confidence: number;
  /** What the confidence was computed from, with each term's value and weight. */
  confidenceFrom: string;
  severity: 'warning' | 'critical';
  metric: string;
  basis: Basis;
  /** The basis (peak, mean, count) over the seconds past the threshold; always past `threshold`. */
  value: number;
  threshold: number;
  /** Seconds after the start when the signal first stayed past its threshold (null for counts without a series). */
  firstSecond: number | null;
  /** The last second it was past its threshold. */
  lastSecond: number | null;
  /** How many seconds it was past its threshold, in episodes of at least SUSTAIN seconds. */
  secondsPast: number | null;
  evidence: string;
  recommendation: string;
  affectedNodes: string[];
  /** For a symptom: the cause it follows. */
  because: string | null;
}

/** The seconds a signal stayed past its threshold and the numbers taken over them. */
export interface Episode {
  basis: Basis;
  value: number;
  threshold: number;
  firstSecond: number;
  lastSecond: number;
  secondsPast: number;
  /** Least-squares slope of the signal over the episode, per second. */
  slopePerSecond: number;
}

export interface Signal {
  rule: string;
  resource: string;
  component: string;
  role: 'cause' | 'symptom';
  metric: string;
  basis: 'peak' | 'mean';
  threshold: number;
  perSecond: { second: number; value: number }[];
  /**
   * A sample that is by itself a sustained excess (a store write that took 12 s), and how many seconds before its
   * sample it began; such a sample counts without SUSTAIN neighbours.
   */
  sustainedAlone?: (value: number) => number | null;
  evidence: (episode: Episode) => string;
  recommendation: string;
  affectedNodes: string[];
}

/** A signal must stay past its threshold this many samples in a row: one noisy second is no finding. */
export const SUSTAIN = 3;

export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/** The samples that belong to runs of at least SUSTAIN samples past the threshold (or are sustained alone). */
function episodeOf(signal: Signal): Episode | undefined {
  const samples = signal.perSecond;
  const past: { second: number; value: number }[] = [];
  let backdatedFirst = Infinity;
  let aloneSeconds = 0;
  let run: typeof past = [];
  const close = () => {
    if (run.length >= SUSTAIN) past.push(...run);
    run = [];
  };
  for (const sample of samples) {
    const alone = sample.value > signal.threshold ? (signal.sustainedAlone?.(sample.value) ?? null) : null;
    if (alone !== null) {
      close();
      past.push(sample);
      backdatedFirst = Math.min(backdatedFirst, sample.second - alone);
      aloneSeconds += alone;
    } else if (sample.value > signal.threshold) run.push(sample);
    else close();
  }
  close();
  if (past.length === 0) return undefined;
  const values = past.map((p) => p.value);
  const value = signal.basis === 'peak' ? Math.max(...values) : values.reduce((a, b) => a + b, 0) / values.length;
  if (!(value > signal.threshold)) return undefined;
  return {
    basis: signal.basis,
    value,
    threshold: signal.threshold,
    firstSecond: Math.min(past[0]!.second, backdatedFirst),
    lastSecond: past.at(-1)!.second,
    secondsPast: past.length + aloneSeconds,
    slopePerSecond:
      past.length >= 2
        ? fitLine(
            past.map((p) => p.second),
            values,
          ).slope
        : 0,
  };
}

/** Confidence from three measured terms, each stated: how far past, how persistently, and when against the knee. */
export function confidenceOf(
  excessShare: number,
  persistence: number,
  timing: { first: number | null; kneeAt: number | null },
): { confidence: number; from: string } {
  // Rounded before they are summed, so the stated terms add up to the stated confidence.
  const excess = round(Math.min(1, Math.max(0, excessShare) * 2), 2);
  const persistent = round(persistence, 2);
  const precedence =
    timing.kneeAt === null || timing.first === null ? 0.5 : timing.first <= timing.kneeAt + 2 ? 1 : 0.3;
  const timingText =
    timing.kneeAt === null
      ? 'latency never left its floor, so timing says nothing'
      : timing.first === null
        ? 'no first second to compare with the knee'
        : timing.first <= timing.kneeAt + 2
          ? `past its threshold from +${timing.first} s, by the time latency left its floor (+${timing.kneeAt} s)`
          : `past its threshold from +${timing.first} s, after latency left its floor (+${timing.kneeAt} s)`;
  return {
    confidence: round(0.35 * excess + 0.25 * persistent + 0.4 * precedence, 2),
    from:
      `0.35 × excess ${excess} (value ${round(excessShare * 100)}% past the threshold, full at 50%)` +
      ` + 0.25 × persistence ${persistent} (share of seconds past the threshold from the first crossing)` +
      ` + 0.40 × timing ${precedence} (${timingText})`,
  };
}

export function evaluate(signal: Signal, kneeAt: number | null): Finding | undefined {
  const episode = episodeOf(signal);
  if (!episode) return undefined;
  // Seconds, not samples: a stalled store records no sample while it stalls.
  const from = signal.perSecond.at(-1)!.second - episode.firstSecond + 1;
  const persistence = Math.min(1, episode.secondsPast / Math.max(1, from));
  const { confidence, from: confidenceFrom } = confidenceOf(episode.value / signal.threshold - 1, persistence, {
    first: episode.firstSecond,
    kneeAt,
  });
  return {
    rule: signal.rule,
    resource: signal.resource,
    component: signal.component,
    role: signal.role,
    confidence,
    confidenceFrom,
    severity: episode.value > 1.5 * signal.threshold ? 'critical' : 'warning',
    metric: signal.metric,
    basis: episode.basis,
    value: round(episode.value, 3),
    threshold: signal.threshold,
    firstSecond: episode.firstSecond,
    lastSecond: episode.lastSecond,
    secondsPast: episode.secondsPast,
    evidence: signal.evidence(episode),
    recommendation: signal.recommendation,
    affectedNodes: signal.affectedNodes,
    because: null,
  };
}

/** The shared tail of every series finding's evidence: the basis, the threshold and the window, from the episode. */
export const windowText = (e: Episode, unit = '') =>
  `${e.basis} ${round(e.value)}${unit} against a threshold of ${e.threshold}${unit}, past it ${e.secondsPast} s between +${e.firstSecond} s and +${e.lastSecond} s`;
