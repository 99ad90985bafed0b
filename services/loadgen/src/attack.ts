// The open-loop attack: sends each event at its intended time, whatever the target does (wrk2's rule).
// Latency counts from the intended time, so a stalled target shows up as latency, never as a quieter schedule.
import type { EventFactory } from './event-factory.js';
import type { Schedule } from './pacer.js';
import type { ResultRecorder } from './results.js';
import type { Target } from './target.js';

export interface AttackOptions {
  schedule: Schedule;
  target: Target;
  factory: EventFactory;
  recorder: ResultRecorder;
  /** Most events in one request. */
  batchSize: number;
  /** Longest an event waits for its batch to fill; keeps batching from adding latency at low rates. */
  maxLingerMs: number;
  /** Requests in flight at most; beyond it due events wait (and count as late). */
  maxInFlight: number;
  /** An event sent more than this after its intended time is late. */
  lateThresholdMs: number;
  /** An event still unsent this long after its intended time is dropped, so a stuck target cannot build an unbounded backlog. */
  dropAfterMs: number;
  /** Request timeout; seconds older than this are final. */
  timeoutMs: number;
  signal: AbortSignal;
}

export interface AttackOutcome {
  startedAtEpochMs: number;
  elapsedMs: number;
  stoppedEarly: boolean;
  /** The generator's own scheduling lag passed the late threshold: it could not keep the schedule. */
  saturated: boolean;
  saturatedAtMs: number | null;
  maxSchedulingLagMs: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

export async function attack(options: AttackOptions): Promise<AttackOutcome> {
  const { schedule, target, factory, recorder, batchSize, signal } = options;
  const startPerf = performance.now();
  const startedAtEpochMs = Date.now();
  const elapsed = () => performance.now() - startPerf;
  let next = 0;
  let inFlight = 0;
  let slotFreed: (() => void) | undefined;
  const pending = new Set<Promise<void>>();
  let saturatedAtMs: number | null = null;
  let maxSchedulingLagMs = 0;
  let sealedSecond = 0;

  const drop = (n: number) => {
    const event = schedule.eventAt(n)!;
    recorder.intended(event.phase, event.intendedMs);
    recorder.dropped(event.phase, event.intendedMs);
  };

  while (next < schedule.totalEvents && !signal.aborted) {
    const now = elapsed();
    if (Math.floor(now / 1000) > sealedSecond) {
      sealedSecond = Math.floor(now / 1000);
      recorder.seal(now - options.timeoutMs - 2000);
    }
    const due = Math.min(schedule.dueBy(now), schedule.totalEvents);
    while (next < due && now - schedule.eventAt(next)!.intendedMs > options.dropAfterMs) drop(next++);
    if (next >= due) {
      const upcoming = schedule.eventAt(next);
      if (!upcoming) break;
      await sleep(upcoming.intendedMs - now);
      continue;
    }
    const firstIntendedMs = schedule.eventAt(next)!.intendedMs;
    if (due - next < batchSize && now - firstIntendedMs < options.maxLingerMs) {
      const fullAt = schedule.eventAt(next + batchSize - 1)?.intendedMs ?? Number.POSITIVE_INFINITY;
      await sleep(Math.min(fullAt, firstIntendedMs + options.maxLingerMs) - now);
      continue;
    }
    if (inFlight >= options.maxInFlight) {
      await Promise.race([new Promise<void>((resolve) => (slotFreed = resolve)), sleep(50)]);
      continue;
    }

    const count = Math.min(batchSize, due - next);
    const phases: number[] = [];
    const intended: number[] = [];
    const events: string[] = [];
    for (let i = 0; i < count; i++) {
      const event = schedule.eventAt(next + i)!;
      phases.push(event.phase);
      intended.push(event.intendedMs);
      events.push(factory.create(startedAtEpochMs + event.intendedMs, next + i));
    }
    next += count;
    const sentMs = elapsed();
    const lagMs = sentMs - intended[count - 1]!;
    maxSchedulingLagMs = Math.max(maxSchedulingLagMs, lagMs);
    if (lagMs > options.lateThresholdMs && saturatedAtMs === null) saturatedAtMs = sentMs;
    for (let i = 0; i < count; i++) {
      recorder.intended(phases[i]!, intended[i]!);
      recorder.sent(phases[i]!, sentMs, sentMs - intended[i]! > options.lateThresholdMs);
    }

    inFlight++;
    const request = target.send(events).then((result) => {
      const doneMs = elapsed();
      const outcome = result === 'ack' ? ({ kind: 'ack' } as const) : ({ kind: 'error', error: result } as const);
      for (let i = 0; i < count; i++)
        recorder.completed(phases[i]!, sentMs, outcome, doneMs - intended[i]!, doneMs - sentMs);
    });
    const tracked = request.finally(() => {
      inFlight--;
      pending.delete(tracked);
      slotFreed?.();
    });
    pending.add(tracked);
  }

  // Stopped: what was due and never sent is dropped; what was not yet due was never intended.
  const stopMs = elapsed();
  const dueAtStop = Math.min(schedule.dueBy(stopMs), schedule.totalEvents);
  for (; next < dueAtStop; next++) drop(next);
  await Promise.all(pending);
  return {
    startedAtEpochMs,
    elapsedMs: elapsed(),
    stoppedEarly: signal.aborted,
    saturated: saturatedAtMs !== null,
    saturatedAtMs,
    maxSchedulingLagMs,
  };
}
