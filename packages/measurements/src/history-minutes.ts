// Per-minute aggregates of the monitor's history: a report over hours reads one row a minute (at most
// LOGPERF_MONITOR_REPORT_MAX_MINUTES of them) instead of sixty, and decodes one histogram per component and minute.
import { LatencyHistogram } from '@logperf/core';
import { packRow } from './history-codec.js';
import { MINUTES_TABLE_SQL, type HistoryStore } from './history.js';
import { HISTORY_ROW_VERSION, readHistoryRow, type HistoryNode, type HistoryRow } from './history-row.js';
import { migrate, type SqlClient } from './sql.js';

const MINUTE_MS = 60_000;
const RETENTION_MS = 30 * 24 * 3600 * 1000;

/** A history row standing for `seconds` measured seconds: throughput and node figures are their means. */
export interface WeightedRow extends HistoryRow {
  seconds: number;
}

type Figure = Exclude<keyof HistoryNode, 'id' | 'role' | 'up'>;

function meanNodes(rows: readonly HistoryRow[]): HistoryNode[] {
  const byId = new Map<string, HistoryNode[]>();
  for (const row of rows) for (const node of row.nodes) byId.set(node.id, [...(byId.get(node.id) ?? []), node]);
  return [...byId.values()].map((samples) => {
    const last = samples.at(-1)!;
    const mean = (key: Figure) => {
      const values = samples.map((s) => s[key]).filter((v): v is number => v !== null);
      return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
    };
    const figures = Object.keys(last).filter((k) => k !== 'id' && k !== 'role' && k !== 'up') as Figure[];
    return {
      ...last,
      // Up for the minute only when up in each of its seconds: a minute with an outage shows it.
      up: samples.every((s) => s.up),
      ...Object.fromEntries(figures.map((key) => [key, mean(key)])),
    };
  });
}

/** One minute's second rows as one row: mean throughput, last known queue depth, mean node figures, merged latency. */
export function aggregateMinute(rows: readonly HistoryRow[], minuteStartMs: number): WeightedRow {
  const latency: Record<string, LatencyHistogram> = {};
  for (const row of rows)
    for (const [component, encoded] of Object.entries(row.latency))
      (latency[component] ??= LatencyHistogram.create()).merge(LatencyHistogram.decode(encoded));
  return {
    atMs: minuteStartMs,
    seconds: rows.length,
    throughput: rows.reduce((sum, r) => sum + r.throughput, 0) / Math.max(1, rows.length),
    queueDepth: rows.findLast((r) => r.queueDepth !== null)?.queueDepth ?? null,
    nodes: meanNodes(rows),
    latency: Object.fromEntries(Object.entries(latency).map(([c, h]) => [c, h.encode()])),
  };
}

export class MinuteHistory {
  constructor(
    private readonly sql: SqlClient,
    private readonly seconds: HistoryStore,
  ) {}

  async init(): Promise<void> {
    await migrate(this.sql, MINUTES_TABLE_SQL);
  }

  /** Stores the aggregate of the minute starting at `minuteStartMs` (again, if it was stored before). */
  async rollup(minuteStartMs: number): Promise<void> {
    const rows = await this.seconds.range(minuteStartMs, minuteStartMs + MINUTE_MS - 1);
    if (rows.length === 0) return;
    await this.save(aggregateMinute(rows, minuteStartMs));
  }

  async save(row: WeightedRow): Promise<void> {
    await this.sql.query(
      `INSERT INTO monitor_history_minutes (at, version, seconds, throughput, queue_depth, packed)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (at) DO UPDATE SET version = EXCLUDED.version, seconds = EXCLUDED.seconds,
         throughput = EXCLUDED.throughput, queue_depth = EXCLUDED.queue_depth, nodes = NULL, latency = NULL,
         packed = EXCLUDED.packed`,
      [
        new Date(row.atMs),
        HISTORY_ROW_VERSION,
        row.seconds,
        row.throughput,
        row.queueDepth,
        packRow(row.nodes, row.latency),
      ],
    );
  }

  /** Minutes starting in [fromMs, toMs). */
  async range(fromMs: number, toMs: number): Promise<WeightedRow[]> {
    const { rows } = await this.sql.query<{ seconds: number }>(
      'SELECT at, version, seconds, throughput, queue_depth, nodes, latency, packed FROM monitor_history_minutes WHERE at >= $1 AND at < $2 ORDER BY at',
      [new Date(fromMs), new Date(toMs)],
    );
    return rows.map((r) => ({ ...readHistoryRow(r).row, seconds: Number(r.seconds) }));
  }

  /**
   * The rows a report over [fromMs, toMs] reads: whole minutes from the aggregates, the partial minutes at either end
   * from the second rows (at most 2 × 60 of them).
   */
  async reportRows(fromMs: number, toMs: number): Promise<WeightedRow[]> {
    const firstWhole = Math.ceil(fromMs / MINUTE_MS) * MINUTE_MS;
    const lastWhole = Math.floor(toMs / MINUTE_MS) * MINUTE_MS;
    if (lastWhole <= firstWhole) return (await this.seconds.range(fromMs, toMs)).map((r) => ({ ...r, seconds: 1 }));
    const [head, minutes] = await Promise.all([
      this.seconds.range(fromMs, firstWhole - 1),
      this.range(firstWhole, lastWhole),
    ]);
    // The minute that just ended may not be rolled up yet: then its seconds are read too.
    const tailFrom =
      minutes.at(-1)?.atMs === lastWhole - MINUTE_MS ? lastWhole : Math.max(firstWhole, lastWhole - MINUTE_MS);
    const tail = await this.seconds.range(tailFrom, toMs);
    const perSecond = (rows: HistoryRow[]) => rows.map((r) => ({ ...r, seconds: 1 }));
    return [...perSecond(head), ...minutes.filter((m) => m.atMs < tailFrom), ...perSecond(tail)];
  }

  async prune(nowMs = Date.now()): Promise<void> {
    await this.sql.query('DELETE FROM monitor_history_minutes WHERE at < $1', [new Date(nowMs - RETENTION_MS)]);
  }
}
