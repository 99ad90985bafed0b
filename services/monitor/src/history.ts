// The monitor's memory: one row per second in the store's database (throughput, queue depth, node resources,
// latency histograms), and named baselines, so a report needs no Prometheus.
import { LatencyHistogram } from '@logperf/core';
import { migrate, type SqlClient } from '@logperf/cluster';
import type { ClusterState } from './cluster-state.js';
import type { NodeSample } from './node-scraper.js';

export interface HistoryNode extends Omit<NodeSample, 'atMs'> {
  id: string;
  role: string;
  up: boolean;
}

export interface HistoryRow {
  atMs: number;
  throughput: number;
  queueDepth: number | null;
  nodes: HistoryNode[];
  /** Per component, the HDR histogram of that second (compressed base64). */
  latency: Record<string, string>;
  /** PostgreSQL waits sampled that second (absent in rows written before they were kept; null: not sampled). */
  postgres?: HistoryPostgres | null;
}

/** Who waited in PostgreSQL that second: by wait event, and lock requests on the store's own table. */
export interface HistoryPostgres {
  byEvent: Record<string, number>;
  storeTableLocks: { waiting: number; longestWaitMs: number | null };
}

export interface Baseline {
  name: string;
  createdAt: number;
  fromMs: number;
  toMs: number;
  throughputPerSecond: number[];
  /** Per-second p99 per component, ms. */
  p99ByComponent: Record<string, number[]>;
}

const RETENTION_MS = 30 * 24 * 3600 * 1000;

export class HistoryStore {
  constructor(private readonly sql: SqlClient) {}

  async init(): Promise<void> {
    await migrate(this.sql, [
      `CREATE TABLE IF NOT EXISTS monitor_history (
      at timestamptz PRIMARY KEY, throughput double precision NOT NULL, queue_depth bigint, nodes jsonb NOT NULL, latency jsonb NOT NULL)`,
      `CREATE TABLE IF NOT EXISTS monitor_baselines (
      name text PRIMARY KEY, created_at timestamptz NOT NULL, from_at timestamptz NOT NULL, to_at timestamptz NOT NULL, summary jsonb NOT NULL)`,
      'ALTER TABLE monitor_history ADD COLUMN IF NOT EXISTS postgres jsonb',
    ]);
  }

  async append(row: HistoryRow): Promise<void> {
    await this.sql.query(
      'INSERT INTO monitor_history (at, throughput, queue_depth, nodes, latency, postgres) VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6::jsonb) ON CONFLICT (at) DO NOTHING',
      [
        new Date(row.atMs),
        row.throughput,
        row.queueDepth,
        JSON.stringify(row.nodes),
        JSON.stringify(row.latency),
        row.postgres ? JSON.stringify(row.postgres) : null,
      ],
    );
  }

  async range(fromMs: number, toMs: number): Promise<HistoryRow[]> {
    const { rows } = await this.sql.query<{
      at: Date;
      throughput: number;
      queue_depth: string | number | null;
      nodes: HistoryNode[];
      latency: Record<string, string>;
      postgres: HistoryPostgres | null;
    }>(
      'SELECT at, throughput, queue_depth, nodes, latency, postgres FROM monitor_history WHERE at >= $1 AND at <= $2 ORDER BY at',
      [new Date(fromMs), new Date(toMs)],
    );
    return rows.map((r) => ({
      atMs: r.at.getTime(),
      throughput: Number(r.throughput),
      queueDepth: r.queue_depth === null ? null : Number(r.queue_depth),
      nodes: r.nodes,
      latency: r.latency,
      postgres: r.postgres,
    }));
  }

  /** Mean cluster throughput per UTC day (and how many seconds were measured that day), oldest first. */
  async dailyThroughput(
    fromMs: number,
    toMs: number,
  ): Promise<{ day: number; eventsPerSecond: number; seconds: number }[]> {
    const { rows } = await this.sql.query<{ day: string | number; rate: number; seconds: string | number }>(
      'SELECT floor(extract(epoch FROM at) / 86400) AS day, avg(throughput) AS rate, count(*) AS seconds FROM monitor_history WHERE at >= $1 AND at <= $2 GROUP BY 1 ORDER BY 1',
      [new Date(fromMs), new Date(toMs)],
    );
    return rows.map((r) => ({ day: Number(r.day), eventsPerSecond: Number(r.rate), seconds: Number(r.seconds) }));
  }

  async prune(nowMs = Date.now()): Promise<void> {
    await this.sql.query('DELETE FROM monitor_history WHERE at < $1', [new Date(nowMs - RETENTION_MS)]);
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

export function decodeSecond(encoded: string | undefined): LatencyHistogram | undefined {
  return encoded ? LatencyHistogram.decode(encoded) : undefined;
}
