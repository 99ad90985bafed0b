// Segments of one schedule: every intended event in exactly one segment, and reports from any split add up to the
// same totals and histograms as one generator's (the coordinator adds, never averages).
import { describe, expect, it } from 'vitest';
import { constant, linear, Schedule } from '../src/pacer.js';
import { ResultRecorder } from '../src/results.js';
import { SegmentRecorder } from '../src/second-report.js';
import { SegmentSchedule } from '../src/segment.js';

const schedule = new Schedule([
  { name: 'ramp', shape: linear(10, 900, 3000) },
  { name: 'burst', shape: constant(2500, 1500) },
  { name: 'recovery', shape: constant(333, 1700) },
]);

describe('segments of a schedule', () => {
  it.each([1, 2, 3, 4, 7])(
    'split %i ways: each event in exactly one segment, due counts add up at any time',
    (count) => {
      const segments = Array.from({ length: count }, (_, index) => new SegmentSchedule(schedule, { index, count }));
      const seen = new Array<number>(schedule.totalEvents).fill(0);
      for (const segment of segments)
        for (let k = 0; k < segment.totalEvents; k++) {
          const event = segment.eventAt(k)!;
          seen[event.sequence]!++;
          expect(event.intendedMs).toBe(schedule.eventAt(event.sequence)!.intendedMs);
        }
      expect(seen.every((n) => n === 1)).toBe(true);
      expect(segments.reduce((sum, s) => sum + s.totalEvents, 0)).toBe(schedule.totalEvents);
      for (const tMs of [0, 1, 999.5, 2500, 3000, 4200.25, 6200, 9000])
        expect(segments.reduce((sum, s) => sum + s.dueBy(tMs), 0)).toBe(schedule.dueBy(tMs));
    },
  );

  it('rejects a segment outside 0..count-1', () => {
    expect(() => new SegmentSchedule(schedule, { index: 3, count: 3 })).toThrow(/segment 3\/3/);
  });

  it('a plan crosses as plain data and rebuilds the same schedule', () => {
    const rebuilt = Schedule.fromPlan(JSON.parse(JSON.stringify(schedule.plan())) as ReturnType<Schedule['plan']>);
    expect(rebuilt.totalEvents).toBe(schedule.totalEvents);
    for (const n of [0, 17, 1345, schedule.totalEvents - 1]) expect(rebuilt.eventAt(n)).toEqual(schedule.eventAt(n));
  });
});

describe('merging segment reports', () => {
  /** Records the whole schedule as if each event was sent 2 ms late and answered after a latency that depends on n. */
  function record(count: number): ResultRecorder {
    const merged = new ResultRecorder(schedule.phases.map((p) => p.name));
    for (let index = 0; index < count; index++) {
      const segment = new SegmentSchedule(schedule, { index, count });
      const recorder = new SegmentRecorder();
      for (let k = 0; k < segment.totalEvents; k++) {
        const { phase, intendedMs, sequence } = segment.eventAt(k)!;
        const sentMs = intendedMs + 2;
        recorder.intended(phase, intendedMs);
        recorder.sent(phase, sentMs, sequence % 10 === 0, sequence % 30 === 0);
        recorder.scheduleLag(phase, sentMs, 2);
        const outcome =
          sequence % 50 === 0 ? ({ kind: 'error', error: 'http_503' } as const) : ({ kind: 'ack' } as const);
        recorder.completed([phase], [intendedMs], sentMs, sentMs + 1 + (sequence % 97), outcome);
        // Drain now and then, as the thread does every second: reports of one second arrive in pieces.
        if (k % 997 === 0) for (const report of recorder.drain()) merged.merge(report);
      }
      for (const report of recorder.drain()) merged.merge(report);
    }
    return merged;
  }

  it('four segments merge to exactly what one generator records: counts, errors, percentiles, per phase and second', () => {
    const one = record(1);
    const four = record(4);
    expect(four.totals()).toEqual(one.totals());
    expect(four.phaseResults([3000, 1500, 1700], [455, 2500, 333])).toEqual(
      one.phaseResults([3000, 1500, 1700], [455, 2500, 333]),
    );
    expect(four.timeline()).toEqual(one.timeline());
    expect(one.totals()).toMatchObject({ intended: schedule.totalEvents, sent: schedule.totalEvents });
    expect(one.totals().errors.http_503).toBe(Math.ceil(schedule.totalEvents / 50));
  });
});
