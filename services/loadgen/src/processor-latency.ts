// End-to-end latency of a test window, from the processors' own cumulative HDR histograms (after minus before).
import { LatencyHistogram, type LatencySummary } from '@logperf/core';
import { nodeStatsSchema } from '@logperf/cluster';

export interface ProcessorSnapshot {
  reachable: string[];
  unreachable: string[];
  stored: number;
  endToEnd: LatencyHistogram;
}

export async function snapshotProcessors(urls: readonly string[]): Promise<ProcessorSnapshot> {
  const snapshot: ProcessorSnapshot = {
    reachable: [],
    unreachable: [],
    stored: 0,
    endToEnd: LatencyHistogram.create(),
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
        snapshot.reachable.push(url);
      } catch {
        snapshot.unreachable.push(url);
      }
    }),
  );
  return snapshot;
}

export type EndToEndResult =
  | { available: true; processors: string[]; stored: number; latencyMs: LatencySummary; histogram: string }
  | { available: false; reason: string; stored?: number; missing?: number };

/** Waits (bounded) until the processors stored what the test had acknowledged, then takes the difference. */
export async function endToEndSince(
  before: ProcessorSnapshot,
  urls: readonly string[],
  acknowledged: number,
  drainTimeoutMs: number,
): Promise<EndToEndResult> {
  if (urls.length === 0) return { available: false, reason: 'no processor URLs configured (LOGPERF_PROCESSOR_URLS)' };
  if (before.reachable.length === 0)
    return { available: false, reason: `processors unreachable at the start: ${before.unreachable.join(', ')}` };
  if (acknowledged === 0) return { available: false, reason: 'no event was acknowledged: nothing to time end to end' };
  const deadline = Date.now() + drainTimeoutMs;
  let after = await snapshotProcessors(urls);
  while (after.stored - before.stored < acknowledged && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    after = await snapshotProcessors(urls);
  }
  const stored = after.stored - before.stored;
  // A latency over only the events that arrived would hide the ones that did not: no figure, the count missing instead.
  if (stored < acknowledged)
    return {
      available: false,
      reason: `${acknowledged - stored} of ${acknowledged} acknowledged events were not stored within ${drainTimeoutMs} ms`,
      stored,
      missing: acknowledged - stored,
    };
  const interval = after.endToEnd.minus(before.endToEnd);
  return {
    available: true,
    processors: after.reachable,
    stored,
    latencyMs: interval.summary(),
    histogram: interval.encode(),
  };
}
