// One (phase, second) share of a run as a generator thread records it and sends it to its coordinator: counts and
// HDR histograms (compressed base64). The coordinator adds reports, never averages them, so any split merges exactly.
import { LatencyHistogram } from '@logperf/core';
import { eventCountsSchema } from '@logperf/measurements';
import { z } from 'zod';

export const secondReportSchema = eventCountsSchema.extend({
  phase: z.number().int().min(0),
  second: z.number().int(),
  latency: z.string().nullable(),
  serviceTime: z.string().nullable(),
  /** The generator's own lag behind its schedule per request, ms. */
  scheduleLag: z.string().nullable(),
});
export type SecondReport = z.output<typeof secondReportSchema>;

export type Outcome = { kind: 'ack' } | { kind: 'error'; error: string };

interface Bucket {
  counts: Omit<SecondReport, 'latency' | 'serviceTime' | 'scheduleLag'>;
  latency: LatencyHistogram | null;
  serviceTime: LatencyHistogram | null;
  scheduleLag: LatencyHistogram | null;
}

const histogram = (h: LatencyHistogram | null) => h ?? LatencyHistogram.create();

/** The thread's side: what happened since the last drain, per (phase, second). */
export class SegmentRecorder {
  private buckets = new Map<number, Bucket>();
  private last: { key: number; bucket: Bucket } | undefined;

  private at(phase: number, ms: number): Bucket {
    const second = Math.floor(ms / 1000);
    const key = second * 1024 + phase;
    if (this.last?.key === key) return this.last.bucket;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      const counts = { phase, second, intended: 0, sent: 0, acknowledged: 0, late: 0, generatorLate: 0 };
      bucket = {
        counts: { ...counts, dropped: 0, generatorDropped: 0, errors: {} },
        latency: null,
        serviceTime: null,
        scheduleLag: null,
      };
      this.buckets.set(key, bucket);
    }
    this.last = { key, bucket };
    return bucket;
  }

  intended(phase: number, intendedMs: number): void {
    this.at(phase, intendedMs).counts.intended++;
  }

  sent(phase: number, sentMs: number, late: boolean, generatorLate: boolean): void {
    const c = this.at(phase, sentMs).counts;
    c.sent++;
    if (late) c.late++;
    if (generatorLate) c.generatorLate++;
  }

  dropped(phase: number, intendedMs: number, byGenerator: boolean): void {
    const c = this.at(phase, intendedMs).counts;
    c.dropped++;
    if (byGenerator) c.generatorDropped++;
  }

  scheduleLag(phase: number, sentMs: number, lagMs: number, requests = 1): void {
    const b = this.at(phase, sentMs);
    (b.scheduleLag = histogram(b.scheduleLag)).recordMs(lagMs, requests);
  }

  /** One request's events: latency once per distinct intended time (with its count), service time once per request. */
  completed(
    phases: readonly number[],
    intendedMs: readonly number[],
    sentMs: number,
    doneMs: number,
    outcome: Outcome,
  ) {
    let i = 0;
    while (i < phases.length) {
      const phase = phases[i]!;
      const b = this.at(phase, sentMs);
      const start = i;
      const latency = (b.latency = histogram(b.latency));
      while (i < phases.length && phases[i] === phase) {
        let same = 1;
        while (i + same < phases.length && intendedMs[i + same] === intendedMs[i] && phases[i + same] === phase) same++;
        latency.recordMs(doneMs - intendedMs[i]!, same);
        i += same;
      }
      const n = i - start;
      (b.serviceTime = histogram(b.serviceTime)).recordMs(doneMs - sentMs, n);
      if (outcome.kind === 'ack') b.counts.acknowledged += n;
      else b.counts.errors[outcome.error] = (b.counts.errors[outcome.error] ?? 0) + n;
    }
  }

  /** Everything recorded since the last drain, serialised, and forgotten here. */
  drain(): SecondReport[] {
    const reports = [...this.buckets.values()].map((b) => ({
      ...b.counts,
      latency: b.latency?.encode() ?? null,
      serviceTime: b.serviceTime?.encode() ?? null,
      scheduleLag: b.scheduleLag?.encode() ?? null,
    }));
    this.buckets = new Map();
    this.last = undefined;
    return reports;
  }
}
