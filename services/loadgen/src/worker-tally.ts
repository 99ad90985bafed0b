// Per-worker breakdown of a test next to its merged figures: which segments each worker (a local thread or a remote
// `logperf worker`) ran, what it sent, how late, what it dropped, and whether it was generator-limited or lost.
import type { WorkerSummary } from '@logperf/measurements';
import type { SecondReport } from './second-report.js';
import { GENERATOR_LIMIT_SHARE, generatorShare } from './verdict.js';

export class WorkerTallies {
  private readonly byName = new Map<string, WorkerSummary>();

  private of(name: string): WorkerSummary {
    let w = this.byName.get(name);
    if (!w) {
      w = {
        name,
        segments: [],
        url: null,
        intended: 0,
        sent: 0,
        late: 0,
        generatorLate: 0,
        dropped: 0,
        generatorDropped: 0,
        droppedAtTakeover: 0,
        generatorLimited: false,
        lost: null,
        maxScheduleLagMs: 0,
      };
      this.byName.set(name, w);
    }
    return w;
  }

  holds(name: string, segment: number, url: string | null = null): void {
    const w = this.of(name);
    if (!w.segments.includes(segment)) w.segments = [...w.segments, segment].sort((a, b) => a - b);
    if (url !== null) w.url = url;
  }

  add(name: string, reports: readonly SecondReport[]): void {
    const w = this.of(name);
    for (const r of reports) {
      w.intended += r.intended;
      w.sent += r.sent;
      w.late += r.late;
      w.generatorLate += r.generatorLate;
      w.dropped += r.dropped;
      w.generatorDropped += r.generatorDropped;
    }
  }

  /** Events of a taken-over segment that nobody sent (or that were sent and never reported): the lost worker's. */
  takeoverGap(name: string, events: number, reason: string): void {
    const w = this.of(name);
    w.intended += events;
    w.dropped += events;
    w.droppedAtTakeover += events;
    w.lost ??= reason;
  }

  scheduleLag(name: string, maxScheduleLagMs: number): void {
    const w = this.of(name);
    w.maxScheduleLagMs = Math.max(w.maxScheduleLagMs, maxScheduleLagMs);
  }

  list(): WorkerSummary[] {
    return [...this.byName.values()].map((w) => ({
      ...w,
      generatorLimited: generatorShare(w) > GENERATOR_LIMIT_SHARE,
    }));
  }
}

/** The reasons a breakdown makes a run invalid: workers lost mid-test and workers that fell behind their segments. */
export function workerProblems(workers: readonly WorkerSummary[]): string[] {
  return workers.flatMap((w) => [
    ...(w.lost === null
      ? []
      : [`worker ${w.name} lost (${w.lost}): ${w.droppedAtTakeover} events dropped until its segments resumed`]),
    ...(w.generatorLimited
      ? [
          `worker ${w.name} was generator-limited: ${w.generatorLate + w.generatorDropped} of its ${w.intended} events ` +
            `late or dropped by its own doing (largest lag ${w.maxScheduleLagMs.toFixed(1)} ms)`,
        ]
      : []),
  ]);
}
