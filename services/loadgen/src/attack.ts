// The open-loop attack: sends each event of its segment at its intended time, whatever the target does (wrk2's rule).
// Latency counts from the intended time, so a stalled target shows up as latency, never as a quieter schedule.
// Lateness is split by cause: waiting at the in-flight cap is the target's (a finding); any other delay is the
// generator's own (its CPU, loop lag, payload preparation), which makes the run invalid.
import type { EventFactory } from './event-factory.js';
import type { SegmentRecorder } from './second-report.js';
import type { SegmentSchedule } from './segment.js';
import type { Target } from './target.js';
import { sleep } from '@logperf/core';

export interface AttackOptions {
  schedule: SegmentSchedule;
  target: Target;
  factory: EventFactory;
  recorder: SegmentRecorder;
  /** The schedule's time zero on this thread's performance.now() clock. */
  startPerfMs: number;
  /** The schedule's time zero on the wall clock (event timestamps). */
  startedAtEpochMs: number;
  /** Most events in one request. */
  batchSize: number;
  /** Longest an event waits for its batch to fill; keeps batching from adding latency at low rates. */
  maxLingerMs: number;
  /** Requests in flight at most; beyond it due events wait (late, by the target's doing). */
  maxInFlight: number;
  /** An event sent more than this after its intended time is late. */
  lateThresholdMs: number;
  /** An event still unsent this long after its intended time is dropped, so a stuck target cannot build an unbounded backlog. */
  dropAfterMs: number;
  signal: AbortSignal;
  /** The segment's first event to run (a segment taken over mid-test resumes there); default 0. */
  firstEvent?: number;
}

export interface AttackOutcome {
  elapsedMs: number;
  stoppedEarly: boolean;
  /** First time a request left more than the late threshold after it was ready, for the generator's own reasons. */
  generatorLateAtMs: number | null;
  /** First time due events waited because the in-flight cap was full (the target was slow). */
  targetLimitedAtMs: number | null;
  maxScheduleLagMs: number;
}

export async function attack(options: AttackOptions): Promise<AttackOutcome> {
  const { schedule, target, factory, recorder, batchSize, signal, lateThresholdMs } = options;
  const elapsed = () => performance.now() - options.startPerfMs;
  const total = schedule.totalEvents;
  let next = options.firstEvent ?? 0;
  let inFlight = 0;
  let slotFreed: (() => void) | undefined;
  const pending = new Set<Promise<void>>();
  let generatorLateAtMs: number | null = null;
  let targetLimitedAtMs: number | null = null;
  let maxScheduleLagMs = 0;
  /** Due events are waiting at the in-flight cap; the wait ends when a slot frees. */
  let blockedAtCap = false;
  let slotFreedAtMs = 0;

  const drop = (k: number, byGenerator: boolean) => {
    const event = schedule.eventAt(k)!;
    recorder.intended(event.phase, event.intendedMs);
    recorder.dropped(event.phase, event.intendedMs, byGenerator);
  };

  while (next < total && !signal.aborted) {
    const now = elapsed();
    const due = Math.min(schedule.dueBy(now), total);
    while (next < due && now - schedule.eventAt(next)!.intendedMs > options.dropAfterMs) drop(next++, !blockedAtCap);
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
      blockedAtCap = true;
      targetLimitedAtMs ??= now;
      await Promise.race([new Promise<void>((resolve) => (slotFreed = resolve)), sleep(50)]);
      continue;
    }

    const count = Math.min(batchSize, due - next);
    const phases: number[] = new Array<number>(count);
    const intended: number[] = new Array<number>(count);
    const events: string[] = new Array<string>(count);
    for (let i = 0; i < count; i++) {
      const event = schedule.eventAt(next + i)!;
      phases[i] = event.phase;
      intended[i] = event.intendedMs;
      events[i] = factory.create(options.startedAtEpochMs + event.intendedMs, event.sequence);
    }
    next += count;
    const sentMs = elapsed();
    // When the request could have left: its batch full (or lingered enough), and a slot free if it had to wait.
    let readyMs = count === batchSize ? intended[count - 1]! : intended[0]! + options.maxLingerMs;
    if (blockedAtCap) readyMs = Math.max(readyMs, slotFreedAtMs);
    blockedAtCap = false;
    const ownLagMs = Math.max(0, sentMs - Math.min(readyMs, sentMs));
    const generatorLate = ownLagMs > lateThresholdMs;
    maxScheduleLagMs = Math.max(maxScheduleLagMs, ownLagMs);
    if (generatorLate) generatorLateAtMs ??= sentMs;
    recorder.scheduleLag(phases[0]!, sentMs, ownLagMs);
    for (let i = 0; i < count; i++) {
      const late = sentMs - intended[i]! > lateThresholdMs;
      recorder.intended(phases[i]!, intended[i]!);
      recorder.sent(phases[i]!, sentMs, late, late && generatorLate);
    }

    inFlight++;
    const request = target.send(events).then((result) => {
      const outcome = result === 'ack' ? ({ kind: 'ack' } as const) : ({ kind: 'error', error: result } as const);
      recorder.completed(phases, intended, sentMs, elapsed(), outcome);
    });
    const tracked = request.finally(() => {
      inFlight--;
      slotFreedAtMs = elapsed();
      pending.delete(tracked);
      slotFreed?.();
    });
    pending.add(tracked);
  }

  // Stopped: what was due and never sent is dropped; what was not yet due was never intended.
  const dueAtStop = Math.min(schedule.dueBy(elapsed()), total);
  for (; next < dueAtStop; next++) drop(next, false);
  await Promise.all(pending);
  return {
    elapsedMs: elapsed(),
    stoppedEarly: signal.aborted,
    generatorLateAtMs,
    targetLimitedAtMs,
    maxScheduleLagMs,
  };
}
