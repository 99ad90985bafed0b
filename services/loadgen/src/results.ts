// Aggregates a test's outcomes: per phase and per second, corrected latency and service time in HDR histograms.
import { LatencyHistogram, type LatencySummary } from '@logperf/core';

export type Outcome = { kind: 'ack' } | { kind: 'error'; error: string };

interface Bucket {
  intended: number;
  sent: number;
  acknowledged: number;
  late: number;
  dropped: number;
  errors: Record<string, number>;
  latency: LatencyHistogram;
  serviceTime: LatencyHistogram;
}

const bucket = (): Bucket => ({
  intended: 0,
  sent: 0,
  acknowledged: 0,
  late: 0,
  dropped: 0,
  errors: {},
  latency: LatencyHistogram.create(),
  serviceTime: LatencyHistogram.create(),
});

export interface PhaseResult {
  name: string;
  durationSeconds: number;
  intendedRatePerSecond: number;
  achievedRatePerSecond: number;
  intended: number;
  sent: number;
  acknowledged: number;
  late: number;
  dropped: number;
  errors: Record<string, number>;
  latencyMs: LatencySummary;
  serviceTimeMs: LatencySummary;
}

export interface SecondResult {
  second: number;
  intended: number;
  sent: number;
  acknowledged: number;
  errors: number;
  latencyMs: Pick<LatencySummary, 'count' | 'meanMs' | 'p50' | 'p90' | 'p95' | 'p99' | 'max'>;
  serviceTimeMs: Pick<LatencySummary, 'p50' | 'p99'>;
}

/** Counts land in the bucket of the phase an event belongs to and in the second it was sent (or due, if never sent). */
export class ResultRecorder {
  private readonly phases: Bucket[];
  private readonly seconds = new Map<number, Bucket>();
  /** Seconds no outcome can still reach, kept as summaries so a 24 h test holds 86,400 rows, not histograms. */
  private readonly sealed = new Map<number, SecondResult>();
  private readonly total = bucket();

  constructor(readonly phaseNames: readonly string[]) {
    this.phases = phaseNames.map(bucket);
  }

  private second(ms: number): Bucket {
    const s = Math.floor(ms / 1000);
    let b = this.seconds.get(s);
    if (!b) this.seconds.set(s, (b = bucket()));
    return b;
  }

  private each(phase: number, ms: number, update: (b: Bucket) => void): void {
    update(this.total);
    const p = this.phases[phase];
    if (p) update(p);
    update(this.second(ms));
  }

  intended(phase: number, intendedMs: number, count = 1): void {
    this.each(phase, intendedMs, (b) => (b.intended += count));
  }

  sent(phase: number, sentMs: number, late: boolean): void {
    this.each(phase, sentMs, (b) => {
      b.sent++;
      if (late) b.late++;
    });
  }

  dropped(phase: number, intendedMs: number, count = 1): void {
    this.each(phase, intendedMs, (b) => (b.dropped += count));
  }

  /** latency = completion − intended time; service time = completion − actual send (wrk2's pair). */
  completed(phase: number, sentMs: number, outcome: Outcome, latencyMs: number, serviceTimeMs: number): void {
    this.each(phase, sentMs, (b) => {
      if (outcome.kind === 'ack') b.acknowledged++;
      else b.errors[outcome.error] = (b.errors[outcome.error] ?? 0) + 1;
      b.latency.recordMs(latencyMs);
      b.serviceTime.recordMs(serviceTimeMs);
    });
  }

  totals() {
    return summarize(this.total);
  }

  latencyHistogram(): LatencyHistogram {
    return this.total.latency;
  }

  serviceTimeHistogram(): LatencyHistogram {
    return this.total.serviceTime;
  }

  phaseResults(phaseDurationsMs: readonly number[], intendedRates: readonly number[]): PhaseResult[] {
    return this.phases.map((b, i) => {
      const durationSeconds = (phaseDurationsMs[i] ?? 0) / 1000;
      return {
        name: this.phaseNames[i] ?? `phase-${i}`,
        durationSeconds,
        intendedRatePerSecond: intendedRates[i] ?? 0,
        achievedRatePerSecond: durationSeconds > 0 ? b.acknowledged / durationSeconds : 0,
        ...summarize(b),
      };
    });
  }

  /** Summarises and frees the seconds before `ms` (call once no request sent then can still complete). */
  seal(beforeMs: number): void {
    const limit = Math.floor(beforeMs / 1000);
    for (const [second, b] of this.seconds) {
      if (second >= limit) continue;
      this.sealed.set(second, secondResult(second, b));
      this.seconds.delete(second);
    }
  }

  timeline(): SecondResult[] {
    const open = [...this.seconds.entries()].map(([second, b]) => secondResult(second, b));
    return [...this.sealed.values(), ...open].sort((a, b) => a.second - b.second);
  }
}

function secondResult(second: number, b: Bucket): SecondResult {
  const s = b.latency.summary();
  return {
    second,
    intended: b.intended,
    sent: b.sent,
    acknowledged: b.acknowledged,
    errors: Object.values(b.errors).reduce((sum, n) => sum + n, 0),
    latencyMs: { count: s.count, meanMs: s.meanMs, p50: s.p50, p90: s.p90, p95: s.p95, p99: s.p99, max: s.max },
    serviceTimeMs: { p50: b.serviceTime.percentileMs(50), p99: b.serviceTime.percentileMs(99) },
  };
}

function summarize(b: Bucket) {
  return {
    intended: b.intended,
    sent: b.sent,
    acknowledged: b.acknowledged,
    late: b.late,
    dropped: b.dropped,
    errors: { ...b.errors },
    latencyMs: b.latency.summary(),
    serviceTimeMs: b.serviceTime.summary(),
  };
}
