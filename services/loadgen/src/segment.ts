// A deterministic share of one schedule: segment {index, count} holds events n with n mod count = index, so every
// intended event belongs to exactly one segment whatever the shape, and each segment keeps 1/count of the rate.
import type { Schedule } from './pacer.js';

export interface Segment {
  index: number;
  count: number;
}

export const WHOLE_SCHEDULE: Segment = { index: 0, count: 1 };

export interface SegmentEvent {
  phase: number;
  intendedMs: number;
  /** The event's number in the whole schedule (unique across segments). */
  sequence: number;
}

export class SegmentSchedule {
  readonly totalEvents: number;

  constructor(
    readonly schedule: Schedule,
    readonly segment: Segment,
  ) {
    if (!Number.isInteger(segment.count) || segment.count < 1 || segment.index < 0 || segment.index >= segment.count)
      throw new Error(`segment ${segment.index}/${segment.count} is not one of 0..count-1`);
    this.totalEvents = this.ownBelow(schedule.totalEvents);
  }

  /** How many of the schedule's first `n` events are this segment's. */
  private ownBelow(n: number): number {
    return Math.max(0, Math.ceil((n - this.segment.index) / this.segment.count));
  }

  /** The k-th event of this segment, or undefined past its end. */
  eventAt(k: number): SegmentEvent | undefined {
    if (k >= this.totalEvents) return undefined;
    const sequence = this.segment.index + k * this.segment.count;
    const event = this.schedule.eventAt(sequence)!;
    return { phase: event.phase, intendedMs: event.intendedMs, sequence };
  }

  /** The segment's first event (its number k) at or after `resumeAtMs` since the start: where a takeover resumes. */
  firstAt(resumeAtMs: number): number {
    return resumeAtMs <= 0 ? 0 : Math.min(this.dueBy(resumeAtMs), this.totalEvents);
  }

  /** This segment's events due before `tMs` since the start. */
  dueBy(tMs: number): number {
    return this.ownBelow(Math.min(this.schedule.dueBy(tMs), this.schedule.totalEvents));
  }
}
