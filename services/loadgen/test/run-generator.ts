// Test helpers: a schedule run on generator threads (the production path), or inline on this loop for in-memory
// targets that cannot cross threads; both end in the coordinator's ResultRecorder.
import { attack, type AttackOptions } from '../src/attack.js';
import { DEFAULT_MIX, EventFactory } from '../src/event-factory.js';
import { runGenerators } from '../src/generator-threads.js';
import type { Schedule } from '../src/pacer.js';
import { ResultRecorder } from '../src/results.js';
import { SegmentRecorder } from '../src/second-report.js';
import { SegmentSchedule, WHOLE_SCHEDULE } from '../src/segment.js';
import type { Target } from '../src/target.js';
import type { WorkOrder } from '../src/work-order.js';

export interface ThreadRunOptions {
  url: string;
  /** Instead of `url`: any target a thread can open (e.g. a Kafka bus). */
  target?: WorkOrder['target'];
  batchSize: number;
  threads?: number;
  maxInFlight?: number;
  /** Stops the run this many ms after its schedule began. */
  stopAfterMs?: number;
}

/** One work order per segment of `schedule`, as the runner would write them. */
export function ordersFor(schedule: Schedule, o: Omit<ThreadRunOptions, 'stopAfterMs'>, testId = 'test'): WorkOrder[] {
  const threads = o.threads ?? 1;
  return Array.from({ length: threads }, (_, index) => ({
    testId,
    plan: schedule.plan(),
    segment: { index, count: threads },
    target: o.target ?? {
      kind: 'http',
      url: o.url,
      connections: o.maxInFlight ?? 64,
      timeoutMs: 10_000,
      testId,
    },
    eventMix: DEFAULT_MIX,
    batchSize: o.batchSize,
    maxLingerMs: 5,
    maxInFlight: o.maxInFlight ?? 64,
    lateThresholdMs: 10,
    dropAfterMs: 5000,
    timeoutMs: 10_000,
  }));
}

export async function runOnThreads(schedule: Schedule, o: ThreadRunOptions) {
  const recorder = new ResultRecorder(schedule.phases.map((p) => p.name));
  const orders = ordersFor(schedule, o);
  const run = runGenerators(orders, recorder);
  let timer: NodeJS.Timeout | undefined;
  if (o.stopAfterMs !== undefined) {
    const stopAfterMs = o.stopAfterMs;
    void run.started.then((startAtEpochMs) => {
      timer = setTimeout(() => run.stop(), startAtEpochMs + stopAfterMs - Date.now());
    });
  }
  const ends = await run.done;
  clearTimeout(timer);
  return { ends, recorder, totals: recorder.totals(), timeline: recorder.timeline() };
}

export async function runInline(
  schedule: Schedule,
  target: Target,
  overrides: Partial<Omit<AttackOptions, 'schedule' | 'target' | 'recorder'>> = {},
) {
  const segmentRecorder = new SegmentRecorder();
  const outcome = await attack({
    schedule: new SegmentSchedule(schedule, WHOLE_SCHEDULE),
    target,
    factory: new EventFactory(),
    recorder: segmentRecorder,
    startPerfMs: performance.now(),
    startedAtEpochMs: Date.now(),
    batchSize: 100,
    maxLingerMs: 5,
    maxInFlight: 64,
    lateThresholdMs: 10,
    dropAfterMs: 5000,
    signal: new AbortController().signal,
    ...overrides,
  });
  const recorder = new ResultRecorder(schedule.phases.map((p) => p.name));
  for (const report of segmentRecorder.drain()) recorder.merge(report);
  return { outcome, recorder, totals: recorder.totals() };
}
