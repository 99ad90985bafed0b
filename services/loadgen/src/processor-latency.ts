// End-to-end latency of a test window, from the processors' own cumulative HDR histograms (after minus before).
import { LatencyHistogram, type LatencySummary } from '@logperf/core';

interface NodeStats {
  events?: { total?: number };
  latency?: Record<string, { histogram?: string } | undefined>;
}

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
        const stats = (await res.json()) as NodeStats;
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
  | { available: false; reason: string };

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
  const deadline = Date.now() + drainTimeoutMs;
  let after = await snapshotProcessors(urls);
  while (after.stored - before.stored < acknowledged && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    after = await snapshotProcessors(urls);
  }
  const interval = after.endToEnd.minus(before.endToEnd);
  return {
    available: true,
    processors: after.reachable,
    stored: after.stored - before.stored,
    latencyMs: interval.summary(),
    histogram: interval.encode(),
  };
}
