// One row a second for the monitor's history (its store lives in @logperf/measurements): the live state's
// throughput, queue depth, node resources and the latency of the second that just ended.
import type { HistoryRow, NodeSample } from '@logperf/measurements';
import type { ClusterState } from './cluster-state.js';

/** Takes one row a second from the live state: the latency of the second that just ended. */
export function historyRow(state: ClusterState, nowMs: number): HistoryRow {
  const secondEnd = Math.floor(nowMs / 1000) * 1000 - 1;
  const latency: Record<string, string> = {};
  for (const component of state.windows.names()) {
    const h = state.windows.merged(component, 1, secondEnd);
    if (h.count > 0) latency[component] = h.encode();
  }
  const views = state.scraper.views();
  const pg = state.backends?.postgres;
  return {
    postgres: pg?.available ? { byEvent: pg.waits.byEvent, storeTableLocks: pg.storeTableLocks } : null,
    atMs: secondEnd + 1,
    throughput: state.throughput(views),
    queueDepth: state.lag?.view()?.total ?? null,
    nodes: views
      .map((n) => ({ id: n.id ?? n.url, role: n.role ?? 'unknown', up: n.up, ...(n.latest ?? emptySample()) }))
      .map(({ atMs: _atMs, ...node }) => node),
    latency,
  };
}

const emptySample = (): NodeSample => ({
  atMs: 0,
  cpuPercent: null,
  systemCpuPercent: null,
  memoryPercent: null,
  ioUtilPercent: null,
  networkRxBytesPerSecond: null,
  networkTxBytesPerSecond: null,
  eventLoopLagP99Ms: null,
  gcPauseMs: null,
  eventsPerSecond: null,
});
