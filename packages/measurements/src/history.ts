// The monitor's memory (its repository): one row per second in the store's database (throughput, queue depth, node
// resources, latency histograms, packed by history-codec.ts), and named baselines, so a report needs no Prometheus.
import { packedColumnSql, packRow } from './history-codec.js';
import { HISTORY_ROW_VERSION, readHistoryRow, type HistoryRow } from './history-row.js';
import { migrate, type SqlClient } from './sql.js';

export interface Baseline {
  name: string;
  createdAt: number;
  fromMs: number;
  toMs: number;
  throughputPerSecond: number[];
  /** Per-second p99 per component, ms. */
  p99ByComponent: Record<string, number[]>;
}

/** Second rows are kept a week (a test's history second by second); minute aggregates (history-minutes.ts) 30 days. */
export const SECOND_RETENTION_MS = 7 * 24 * 3600 * 1000;

/** The minute aggregates' table (history-minutes.ts writes it; dailyThroughput reads it past the second rows). */
export const MINUTES_TABLE_SQL = [
  `CREATE TABLE IF NOT EXISTS monitor_history_minutes (
      at timestamptz PRIMARY KEY, seconds integer NOT NULL, throughput double precision NOT NULL, queue_depth bigint,
      nodes jsonb NOT NULL, latency jsonb NOT NULL)`,
  ...packedColumnSql('monitor_history_minutes'),
  'ALTER TABLE monitor_history_minutes ADD COLUMN IF NOT EXISTS version integer',
];

export class HistoryStore {
  constructor(private readonly sql: SqlClient) {}

  async init(): Promise<void> {
    await migrate(this.sql, [
      `CREATE TABLE IF NOT EXISTS monitor_history (
      at timestamptz PRIMARY KEY, throughput double precision NOT NULL, queue_depth bigint, nodes jsonb NOT NULL, latency jsonb NOT NULL)`,
      ...packedColumnSql('monitor_history'),
      // Rows written before the column read as version 1.
      'ALTER TABLE monitor_history ADD COLUMN IF NOT EXISTS version integer',
      // Days older than the second rows are read from the minute aggregates (dailyThroughput).
      ...MINUTES_TABLE_SQL,
      `CREATE TABLE IF NOT EXISTS monitor_baselines (
      name text PRIMARY KEY, created_at timestamptz NOT NULL, from_at timestamptz NOT NULL, to_at timestamptz NOT NULL, summary jsonb NOT NULL)`,
    ]);
  }

  async append(row: HistoryRow): Promise<void> {
    await this.sql.query(
      'INSERT INTO monitor_history (at, version, throughput, queue_depth, packed) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (at) DO NOTHING',
      [
        new Date(row.atMs),
        HISTORY_ROW_VERSION,
        row.throughput,
        row.queueDepth,
        packRow(row.nodes, row.latency, row.postgres ?? null),
      ],
    );
  }

  async range(fromMs: number, toMs: number): Promise<HistoryRow[]> {
    const { rows } = await this.sql.query<unknown>(
      'SELECT at, version, throughput, queue_depth, nodes, latency, packed FROM monitor_history WHERE at >= $1 AND at <= $2 ORDER BY at',
      [new Date(fromMs), new Date(toMs)],
    );
    return rows.map((r) => readHistoryRow(r).row);
  }

  /**
   * Mean cluster throughput per UTC day (and how many seconds were measured that day), oldest first: from the second
   * rows, and before the oldest of them from the minute aggregates (weighted by their seconds).
   */
  async dailyThroughput(
    fromMs: number,
    toMs: number,
  ): Promise<{ day: number; eventsPerSecond: number; seconds: number }[]> {
    const { rows } = await this.sql.query<{ day: string | number; rate: number; seconds: string | number }>(
      `WITH first AS (SELECT min(at) AS at FROM monitor_history WHERE at >= $1 AND at <= $2),
       measured AS (
         SELECT at, throughput, 1 AS seconds FROM monitor_history WHERE at >= $1 AND at <= $2
         UNION ALL
         SELECT m.at, m.throughput, m.seconds FROM monitor_history_minutes m, first
         WHERE m.at >= $1 AND m.at <= $2 AND (first.at IS NULL OR m.at + interval '1 minute' <= first.at))
       SELECT floor(extract(epoch FROM at) / 86400) AS day, sum(throughput * seconds) / sum(seconds) AS rate,
         sum(seconds) AS seconds FROM measured GROUP BY 1 ORDER BY 1`,
      [new Date(fromMs), new Date(toMs)],
    );
    return rows.map((r) => ({ day: Number(r.day), eventsPerSecond: Number(r.rate), seconds: Number(r.seconds) }));
  }

  async prune(nowMs = Date.now()): Promise<void> {
    await this.sql.query('DELETE FROM monitor_history WHERE at < $1', [new Date(nowMs - SECOND_RETENTION_MS)]);
  }

  async saveBaseline(baseline: Baseline): Promise<void> {
    await this.sql.query(
      `INSERT INTO monitor_baselines (name, created_at, from_at, to_at, summary) VALUES ($1, $2, $3, $4, $5::jsonb)
       ON CONFLICT (name) DO UPDATE SET created_at = EXCLUDED.created_at, from_at = EXCLUDED.from_at, to_at = EXCLUDED.to_at, summary = EXCLUDED.summary`,
      [
        baseline.name,
        new Date(baseline.createdAt),
        new Date(baseline.fromMs),
        new Date(baseline.toMs),
        JSON.stringify({ throughputPerSecond: baseline.throughputPerSecond, p99ByComponent: baseline.p99ByComponent }),
      ],
    );
  }

  /** The named baseline, or the newest when no name is given. */
  async baseline(name?: string): Promise<Baseline | undefined> {
    const { rows } = await this.sql.query<{
      name: string;
      created_at: Date;
      from_at: Date;
      to_at: Date;
      summary: Pick<Baseline, 'throughputPerSecond' | 'p99ByComponent'>;
    }>(
      name === undefined
        ? 'SELECT * FROM monitor_baselines ORDER BY created_at DESC LIMIT 1'
        : 'SELECT * FROM monitor_baselines WHERE name = $1',
      name === undefined ? [] : [name],
    );
    const r = rows[0];
    return (
      r && {
        name: r.name,
        createdAt: r.created_at.getTime(),
        fromMs: r.from_at.getTime(),
        toMs: r.to_at.getTime(),
        ...r.summary,
      }
    );
  }
}
