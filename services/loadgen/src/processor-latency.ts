// End-to-end latency of a test, from the processors' own HDR histograms: of the test's own events when the processors
// attribute events to tests (the bus envelope's test id, sent by the generator over HTTP), else of the test's window
// (after minus before, which also counts any other traffic the processors stored meanwhile).
import { LatencyHistogram, sleep } from '@logperf/core';
import { nodeStatsSchema, type EndToEndResult } from '@logperf/measurements';

export interface ProcessorSnapshot {
  reachable: string[];
  unreachable: string[];
  stored: number;
  endToEnd: LatencyHistogram;
  /** The same figures for the events of one test only (when a test id was asked for). */
  test: { stored: number; endToEnd: LatencyHistogram };
}

export async function snapshotProcessors(urls: readonly string[], testId?: string): Promise<ProcessorSnapshot> {
  const snapshot: ProcessorSnapshot = {
    reachable: [],
    unreachable: [],
    stored: 0,
    endToEnd: LatencyHistogram.create(),
    test: { stored: 0, endToEnd: LatencyHistogram.create() },
  };
  await Promise.all(
    urls.map(async (url) => {
      try {
        const res = await fetch(`${url}/api/node/stats`, { signal: AbortSignal.timeout(2000) });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        const stats = nodeStatsSchema.parse(await res.json());
        snapshot.stored += stats.events?.total ?? 0;
        const encoded = stats.latency?.['end-to-end']?.histogram;
        if (encoded) snapshot.endToEnd.merge(LatencyHistogram.decode(encoded));
        const own = testId === undefined ? undefined : stats.tests?.[testId];
        if (own) {
          snapshot.test.stored += own.stored;
          snapshot.test.endToEnd.merge(LatencyHistogram.decode(own.endToEnd.histogram));
        }
        snapshot.reachable.push(url);
      } catch {
        snapshot.unreachable.push(url);
      }
    }),
  );
  return snapshot;
}

/** `test`: only the test's own events (by test id); `window`: everything the processors stored during the test. */
export type { Attribution, EndToEndResult } from '@logperf/measurements';

/**
 * Waits (bounded) until the processors stored what the test had acknowledged, then takes the test's own figures
 * (with a test id: the processors count each test's events apart) or the window's difference (without one).
 */
export async function endToEndSince(
  before: ProcessorSnapshot,
  urls: readonly string[],
  acknowledged: number,
  drainTimeoutMs: number,
  testId?: string,
): Promise<EndToEndResult> {
  if (urls.length === 0) return { available: false, reason: 'no processor URLs configured (LOGPERF_PROCESSOR_URLS)' };
  if (before.reachable.length === 0)
    return { available: false, reason: `processors unreachable at the start: ${before.unreachable.join(', ')}` };
  if (acknowledged === 0) return { available: false, reason: 'no event was acknowledged: nothing to time end to end' };
  const deadline = Date.now() + drainTimeoutMs;
  const storedOf = (s: ProcessorSnapshot) => (testId === undefined ? s.stored - before.stored : s.test.stored);
  let after = await snapshotProcessors(urls, testId);
  while (storedOf(after) < acknowledged && Date.now() < deadline) {
    await sleep(250);
    after = await snapshotProcessors(urls, testId);
  }
  const stored = storedOf(after);
  // A latency over only the events that arrived would hide the ones that did not: no figure, the count missing instead.
  if (stored < acknowledged)
    return {
      available: false,
      reason: `${acknowledged - stored} of ${acknowledged} acknowledged events were not stored within ${drainTimeoutMs} ms`,
      stored,
      missing: acknowledged - stored,
    };
  const interval = testId === undefined ? after.endToEnd.minus(before.endToEnd) : after.test.endToEnd;
  return {
    available: true,
    attribution: testId === undefined ? 'window' : 'test',
    processors: after.reachable,
    stored,
    latencyMs: interval.summary(),
    histogram: interval.encode(),
  };
}
