// The per-node bottleneck rules as one table: which figure of a node each rule reads, the threshold it is judged by,
// how its finding reads and what to do about it. The monitor judges a window's mean per node by it
// (detectBottlenecks); the analyzer judges each second of a test by it (nodeSignals). One table, so the two name a
// bottleneck alike.
import { HEAP_ADVICE } from '@logperf/core';
import type { BottleneckThresholds } from './bottlenecks.js';
import type { HistoryNode } from './history-row.js';

export interface NodeRule {
  rule: 'cpu' | 'memory' | 'io' | 'event-loop' | 'gc';
  resource: 'cpu' | 'memory' | 'disk' | 'event-loop';
  /** The figure, per node and second. */
  metric: string;
  thresholdKey: keyof Pick<
    BottleneckThresholds,
    'cpuPercent' | 'memoryPercent' | 'ioPercent' | 'eventLoopLagMs' | 'gcShare'
  >;
  pick: (sample: Omit<HistoryNode, 'id' | 'role' | 'up'>) => number | null;
  /** The finding: `who` is past the threshold, `measured` says by how much and when. */
  evidence: (who: string, measured: string) => string;
  /** Past this multiple of the threshold (or this value) the finding is critical rather than a warning. */
  critical: (value: number, threshold: number) => boolean;
  recommendation: (role: string) => string;
}

const evidence = (metric: string) => (who: string, measured: string) => `${who} ${metric}: ${measured}`;

const rule = (r: Omit<NodeRule, 'evidence'>): NodeRule => ({ ...r, evidence: evidence(r.metric) });

export const NODE_RULES: readonly NodeRule[] = [
  rule({
    rule: 'cpu',
    resource: 'cpu',
    metric: 'process CPU % of one core',
    thresholdKey: 'cpuPercent',
    pick: (s) => s.cpuPercent,
    critical: (value) => value > 90,
    recommendation: (role) => `Scale horizontally: add 2–4 nodes (${role} instances) of the saturated role`,
  }),
  rule({
    rule: 'memory',
    resource: 'memory',
    metric: 'memory used %',
    thresholdKey: 'memoryPercent',
    pick: (s) => s.memoryPercent,
    critical: (value) => value > 90,
    recommendation: () => HEAP_ADVICE,
  }),
  rule({
    rule: 'io',
    resource: 'disk',
    metric: 'disk busy %',
    thresholdKey: 'ioPercent',
    pick: (s) => s.ioUtilPercent,
    critical: (value) => value > 95,
    recommendation: () => 'Upgrade storage or increase buffers (larger batches, fewer commits)',
  }),
  rule({
    rule: 'event-loop',
    resource: 'event-loop',
    metric: 'event-loop delay p99 ms',
    thresholdKey: 'eventLoopLagMs',
    pick: (s) => s.eventLoopLagP99Ms,
    critical: (value, threshold) => value > 5 * threshold,
    recommendation: (role) =>
      `Move synchronous work off the ${role}'s event loop (smaller batches, fewer JSON round trips) or add instances`,
  }),
  rule({
    rule: 'gc',
    resource: 'memory',
    metric: 'share of time in GC pauses',
    thresholdKey: 'gcShare',
    pick: (s) => (s.gcPauseMs === null ? null : s.gcPauseMs / 1000),
    critical: (value, threshold) => value > 4 * threshold,
    recommendation: () => HEAP_ADVICE,
  }),
];
