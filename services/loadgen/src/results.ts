// The coordinator's view of a test: adds its generator threads' (phase, second) reports into totals, phases and
// seconds, with corrected latency, service time and the generators' own schedule lag in HDR histograms.
import { LatencyHistogram } from '@logperf/core';
import type { PhaseResult, SecondResult } from '@logperf/measurements';
import type { SecondReport } from './second-report.js';

interface Bucket {
  intended: number;
  sent: number;
  acknowledged: number;
  late: number;
  generatorLate: number;
  dropped: number;
  generatorDropped: number;
  errors: Record<string, number>;
  latency: LatencyHistogram;
  serviceTime: LatencyHistogram;
  scheduleLag: LatencyHistogram;
}

const bucket = (): Bucket => ({
  intended: 0,
  sent: 0,
  acknowledged: 0,
  late: 0,
  generatorLate: 0,
  dropped: 0,
  generatorDropped: 0,
  errors: {},
  latency: LatencyHistogram.create(),
  serviceTime: LatencyHistogram.create(),
  scheduleLag: LatencyHistogram.create(),
});

export type { PhaseResult, SecondResult } from '@logperf/measurements';

/** Counts land in the bucket of the phase an event belongs to and in the second it was sent (or due, if never sent). */
export class ResultRecorder {
  private readonly phases: Bucket[];
  private readonly seconds = new Map<number, Bucket>();
  /** Seconds no outcome can still reach, kept as summaries so a 24 h test holds 86,400 rows, not histograms. */
  private readonly sealed = new Map<number, SecondResult>();
  private readonly total = bucket();
  /** Reports for a second already summarised (counted in totals and phases, missing from the timeline); 0 expected. */
  lateReports = 0;

  constructor(readonly phaseNames: readonly string[]) {
    this.phases = phaseNames.map(bucket);
  }

  private second(second: number): Bucket {
    let b = this.seconds.get(second);
    if (!b) this.seconds.set(second, (b = bucket()));
    return b;
  }

  /** Adds one report: counts are summed and histograms added, into the total, its phase and its second. */
  merge(report: SecondReport): void {
    const latency = report.latency === null ? null : LatencyHistogram.decode(report.latency);
    const serviceTime = report.serviceTime === null ? null : LatencyHistogram.decode(report.serviceTime);
    const scheduleLag = report.scheduleLag === null ? null : LatencyHistogram.decode(report.scheduleLag);
    const sealed = this.sealed.has(report.second);
    const targets = [this.total, this.phases[report.phase], sealed ? undefined : this.second(report.second)];
    for (const b of targets) {
      if (!b) continue;
      b.intended += report.intended;
      b.sent += report.sent;
      b.acknowledged += report.acknowledged;
      b.late += report.late;
      b.generatorLate += report.generatorLate;
      b.dropped += report.dropped;
      b.generatorDropped += report.generatorDropped;
      for (const [kind, n] of Object.entries(report.errors)) b.errors[kind] = (b.errors[kind] ?? 0) + n;
      if (latency) b.latency.merge(latency);
      if (serviceTime) b.serviceTime.merge(serviceTime);
      if (scheduleLag) b.scheduleLag.merge(scheduleLag);
    }
    if (sealed) this.lateReports++;
  }

  totals() {
    return bucketSummary(this.total);
  }

  latencyHistogram(): LatencyHistogram {
    return this.total.latency;
  }

  serviceTimeHistogram(): LatencyHistogram {
    return this.total.serviceTime;
  }

  scheduleLagHistogram(): LatencyHistogram {
    return this.total.scheduleLag;
  }

  phaseResults(phaseDurationsMs: readonly number[], intendedRates: readonly number[]): PhaseResult[] {
    return this.phases.map((b, i) => {
      const durationSeconds = (phaseDurationsMs[i] ?? 0) / 1000;
      return {
        name: this.phaseNames[i] ?? `phase-${i}`,
        durationSeconds,
        intendedRatePerSecond: intendedRates[i] ?? 0,
        achievedRatePerSecond: durationSeconds > 0 ? b.acknowledged / durationSeconds : 0,
        ...bucketSummary(b),
      };
    });
  }

  /** Summarises and frees the seconds before `limit` (once every generator said it will not report them again). */
  seal(limit: number): void {
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

function bucketSummary(b: Bucket) {
  return {
    intended: b.intended,
    sent: b.sent,
    acknowledged: b.acknowledged,
    late: b.late,
    generatorLate: b.generatorLate,
    dropped: b.dropped,
    generatorDropped: b.generatorDropped,
    errors: { ...b.errors },
    latencyMs: b.latency.summary(),
    serviceTimeMs: b.serviceTime.summary(),
    scheduleLagMs: b.scheduleLag.summary(),
  };
}
