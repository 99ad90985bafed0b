// Per-test figures of a processor: events stored and end-to-end latency of the events each load test sent (by the
// envelope's test id), so a test's end-to-end covers its own events only. Bounded: the least recently seen test goes first.
import { LatencyHistogram, type LatencySummary } from '@logperf/core';

/** Tests kept; a 32-bit histogram is ~90 KB, so 32 tests stay under 3 MB. */
export const MAX_TESTS = 32;

interface TestFigures {
  /** Events of this test newly written to the store. */
  stored: number;
  /** Events of this test taken off the bus (redeliveries included). */
  received: number;
  endToEnd: LatencyHistogram;
  lastSeenMs: number;
}

export interface TestStatsSnapshot {
  stored: number;
  received: number;
  /** Stored − event timestamp, since this processor first saw the test; HDR base64 for merging across processors. */
  endToEnd: { summary: LatencySummary; histogram: string };
}

export class TestStats {
  private readonly tests = new Map<string, TestFigures>();

  constructor(private readonly maxTests = MAX_TESTS) {}

  /** Records one stored batch of a test: `timestampsMs` are the events' own timestamps. */
  record(testId: string, timestampsMs: readonly number[], inserted: number, storedAtMs: number): void {
    let figures = this.tests.get(testId);
    if (figures) this.tests.delete(testId);
    else figures = { stored: 0, received: 0, endToEnd: LatencyHistogram.create(), lastSeenMs: 0 };
    // Re-inserting keeps the Map in least-recently-seen order, so eviction takes the first key.
    this.tests.set(testId, figures);
    figures.stored += inserted;
    figures.received += timestampsMs.length;
    figures.lastSeenMs = storedAtMs;
    for (const ts of timestampsMs) figures.endToEnd.recordMs(storedAtMs - ts);
    while (this.tests.size > this.maxTests) this.tests.delete(this.tests.keys().next().value as string);
  }

  snapshot(): Record<string, TestStatsSnapshot> {
    return Object.fromEntries(
      [...this.tests].map(([testId, f]) => [
        testId,
        {
          stored: f.stored,
          received: f.received,
          endToEnd: { summary: f.endToEnd.summary(), histogram: f.endToEnd.encode() },
        },
      ]),
    );
  }
}
