// End-to-end latency of a test, from the processors' own HDR histograms: of the test's own events when the processors
// attribute events to tests (the bus envelope's test id, sent by the generator over HTTP), else of the test's window
// (after minus before, which also counts any other traffic the processors stored meanwhile). Given clock options, the
// summary is corrected for the processors' and generators' clock offsets (clock-correction.ts).
import { LatencyHistogram, sleep } from '@logperf/core';
import { nodeStatsSchema, type EndToEndResult } from '@logperf/measurements';
import { correctEndToEnd, type EndToEndClockOptions } from './clock-correction.js';

export interface ProcessorSnapshot {
  reachable: string[];
  unreachable: string[];
  stored: number;
  endToEnd: LatencyHistogram;
  /** The same figures for the events of one test only (when a test id was asked for). */
  test: { stored: number; endToEnd: LatencyHistogram };
  /** Per reachable processor: events in its end-to-end histogram, all and of the test (the clock correction's weights). */
  countsByUrl: Record<string, { endToEnd: number; test: number }>;
}

export async function snapshotProcessors(urls: readonly string[], testId?: string): Promise<ProcessorSnapshot> {
  const snapshot: ProcessorSnapshot = {
    reachable: [],
    unreachable: [],
    stored: 0,
    endToEnd: LatencyHistogram.create(),
    test: { stored: 0, endToEnd: LatencyHistogram.create() },
    countsByUrl: {},
  };
  await Promise.all(
    urls.map(async (url) => {
      try {
        const res = await fetch(`${url}/api/node/stats`, { signal: AbortSignal.timeout(2000) });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        const stats = nodeStatsSchema.parse(await res.json());
        snapshot.stored += stats.events?.total ?? 0;
        const encoded = stats.latency?.['end-to-end']?.histogram;
        const all = encoded ? LatencyHistogram.decode(encoded) : undefined;
        if (all) snapshot.endToEnd.merge(all);
        const own = testId === undefined ? undefined : stats.tests?.[testId];
        const ownHistogram = own ? LatencyHistogram.decode(own.endToEnd.histogram) : undefined;
        if (own && ownHistogram) {
          snapshot.test.stored += own.stored;
          snapshot.test.endToEnd.merge(ownHistogram);
        }
        snapshot.countsByUrl[url] = { endToEnd: all?.count ?? 0, test: ownHistogram?.count ?? 0 };
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
  clock?: EndToEndClockOptions,
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
  const raw = interval.summary();
  const result = {
    available: true as const,
    attribution: testId === undefined ? ('window' as const) : ('test' as const),
    processors: after.reachable,
    stored,
    latencyMs: raw,
    histogram: interval.encode(),
  };
  if (!clock) return result;
  const weights = Object.fromEntries(
    Object.entries(after.countsByUrl).map(([url, c]) => [
      url,
      testId === undefined ? c.endToEnd - (before.countsByUrl[url]?.endToEnd ?? 0) : c.test,
    ]),
  );
  const corrected = await correctEndToEnd(raw, weights, clock);
  return { ...result, latencyMs: corrected.latencyMs, uncorrectedLatencyMs: raw, clock: corrected.clock };
}
