// Backend stalls after the fact, from the monitor's seconds: how long the oldest store write, cache update or bus
// produce in progress had waited (the nodes' `waits`), and for the store also the longest lock wait on its own table
// (PostgreSQL). Each is a cause: the stage's own time rose, where lag and staleness are the queue in front of it.
import { DEFAULT_THRESHOLDS, type HistoryRow } from '@logperf/measurements';
import { round, windowText, type Signal } from './finding.js';
import type { RunData } from './run-data.js';

const BACKENDS: { wait: string; role: string; rule: string; what: string; recommendation: string }[] = [
  {
    wait: 'store',
    role: 'processor',
    rule: 'store',
    what: 'store write (or a lock wait on the store table)',
    recommendation:
      'The store stopped completing writes: look for locks on the events table (pg_locks), a full disk or a stopped database',
  },
  {
    wait: 'cache',
    role: 'processor',
    rule: 'cache',
    what: 'cache update',
    recommendation: 'The cache did not answer: check the Redis server (paused, a slow command, out of memory)',
  },
  {
    wait: 'bus',
    role: 'gateway',
    rule: 'broker',
    what: 'bus produce',
    recommendation: 'The broker did not acknowledge: check the Kafka brokers (paused, disk full, partitions offline)',
  },
];

/** The longest wait of one kind that second, over the up nodes of its role (and the store table's lock waits). */
function waitOf(row: HistoryRow, wait: string, role: string): number | null {
  const values = row.nodes
    .filter((n) => n.up && n.role === role)
    .map((n) => n.waitsMs?.[wait])
    .filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  const lock = wait === 'store' ? row.postgres?.storeTableLocks.longestWaitMs : null;
  if (typeof lock === 'number') values.push(lock);
  return values.length === 0 ? null : Math.max(...values);
}

export function waitSignals(run: RunData, stallMs = DEFAULT_THRESHOLDS.stallMs): Signal[] {
  return BACKENDS.flatMap((b) => {
    const perSecond = run.history.flatMap((row) => {
      const value = waitOf(row, b.wait, b.role);
      return value === null ? [] : [{ second: Math.floor((row.atMs - run.startedAt) / 1000), value }];
    });
    if (perSecond.length === 0) return [];
    return [
      {
        rule: b.rule,
        resource: b.rule,
        component: b.rule,
        role: 'cause' as const,
        metric: `oldest ${b.what} in progress, ms`,
        basis: 'peak' as const,
        threshold: stallMs,
        perSecond,
        evidence: (e) => `a ${b.what} did not return for up to ${round(e.value / 1000)} s: ${windowText(e, ' ms')}`,
        recommendation: b.recommendation,
        affectedNodes: [],
      },
    ];
  });
}
