// Statistics of the real backing services: PostgreSQL (pg_stat_database, pg_stat_user_tables, and who waits on what from
// pg_stat_activity and pg_locks) and Redis (INFO), as rates between samples.
import type { Config } from '@logperf/core';

export type Unavailable = { available: false; reason: string };

export interface PostgresStats {
  available: true;
  commitsPerSecond: number | null;
  rollbacksPerSecond: number | null;
  rowsInsertedPerSecond: number | null;
  cacheHitRatio: number | null;
  connections: number;
  table: { name: string; liveRows: number; insertsPerSecond: number | null } | null;
  waits: PostgresWaits;
  /** Lock requests not granted on the store's own table, and how long the longest has waited (ms, null when none). */
  storeTableLocks: { waiting: number; longestWaitMs: number | null };
}

/** This database's active backends that were waiting when sampled: the store's own stall, seen while it lasts. */
export interface PostgresWaits {
  /** Active backends waiting on anything (wait_event_type not null), by `type:event` (e.g. `Lock:relation`, `IO:DataFileRead`). */
  byEvent: Record<string, number>;
  /** Lock requests not granted (pg_locks), and the relations they wait for. */
  locksNotGranted: number;
  lockedRelations: string[];
  /** How long the longest lock-waiting query has run, ms; null when none waits on a lock. */
  longestLockWaitMs: number | null;
}

const WAITS_SQL = `SELECT wait_event_type || ':' || wait_event AS event, count(*)::int AS n,
  max(CASE WHEN wait_event_type = 'Lock' THEN extract(epoch FROM now() - query_start) * 1000 END) AS longest_ms
  FROM pg_stat_activity
  WHERE datname = current_database() AND state = 'active' AND wait_event_type IS NOT NULL
    AND wait_event_type NOT IN ('Activity', 'Client') AND pid <> pg_backend_pid()
  GROUP BY 1`;

const LOCKS_SQL = `SELECT count(*)::int AS n, coalesce(array_agg(DISTINCT c.relname::text) FILTER (WHERE c.relname IS NOT NULL), '{}'::text[]) AS relations
  FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid LEFT JOIN pg_class c ON c.oid = l.relation
  WHERE NOT l.granted AND a.datname = current_database()`;

const TABLE_LOCKS_SQL = `SELECT count(*)::int AS n, max(extract(epoch FROM now() - a.query_start) * 1000) AS longest_ms
  FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid JOIN pg_class c ON c.oid = l.relation
  WHERE NOT l.granted AND a.datname = current_database() AND c.relname = $1`;

export function postgresWaitsFrom(
  events: { event: string; n: number | string; longest_ms: number | string | null }[],
  locks: { n: number | string; relations: string[] } | undefined,
): PostgresWaits {
  const longest = events.map((e) => (e.longest_ms === null ? NaN : Number(e.longest_ms))).filter(Number.isFinite);
  return {
    byEvent: Object.fromEntries(events.map((e) => [e.event, Number(e.n)])),
    locksNotGranted: Number(locks?.n ?? 0),
    lockedRelations: [...(locks?.relations ?? [])].sort(),
    longestLockWaitMs: longest.length > 0 ? Math.round(Math.max(...longest)) : null,
  };
}

export interface RedisStats {
  available: true;
  usedMemoryBytes: number;
  maxMemoryBytes: number | null;
  memoryPercent: number | null;
  opsPerSecond: number;
  evictedKeys: number;
  hitRatio: number | null;
  connectedClients: number;
}

/** INFO's `key:value` lines. */
export function parseRedisInfo(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split(/\r?\n/)
      .filter((l) => l.includes(':') && !l.startsWith('#'))
      .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)]),
  );
}

export function redisStatsFrom(info: Record<string, string>): RedisStats {
  const n = (key: string) => Number(info[key] ?? 0);
  const max = n('maxmemory');
  const hits = n('keyspace_hits');
  const misses = n('keyspace_misses');
  return {
    available: true,
    usedMemoryBytes: n('used_memory'),
    maxMemoryBytes: max > 0 ? max : null,
    memoryPercent: max > 0 ? (n('used_memory') / max) * 100 : null,
    opsPerSecond: n('instantaneous_ops_per_sec'),
    evictedKeys: n('evicted_keys'),
    hitRatio: hits + misses > 0 ? hits / (hits + misses) : null,
    connectedClients: n('connected_clients'),
  };
}

interface PgCounters {
  atMs: number;
  commits: number;
  rollbacks: number;
  inserted: number;
  hits: number;
  reads: number;
  connections: number;
  tableInserts: number | null;
  liveRows: number | null;
}

export class BackendStats {
  private previousPg: PgCounters | undefined;
  postgres: PostgresStats | Unavailable;
  redis: RedisStats | Unavailable;

  constructor(
    private readonly sources: {
      postgres?: { query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }> };
      redisInfo?: () => Promise<string>;
      table: string;
    },
    config: Pick<Config, 'store' | 'cache'>,
  ) {
    this.postgres = {
      available: false,
      reason: config.store === 'postgres' ? 'not sampled yet' : 'the embedded store (PGlite) has no server statistics',
    };
    this.redis = {
      available: false,
      reason: config.cache === 'redis' ? 'not sampled yet' : 'the embedded cache (memory) has no server statistics',
    };
  }

  async sample(nowMs = Date.now()): Promise<void> {
    await Promise.all([this.samplePostgres(nowMs), this.sampleRedis()]);
  }

  private async samplePostgres(nowMs: number): Promise<void> {
    const pg = this.sources.postgres;
    if (!pg) return;
    try {
      const [db] = (
        await pg.query<Record<string, string>>(
          'SELECT xact_commit, xact_rollback, tup_inserted, blks_hit, blks_read, numbackends FROM pg_stat_database WHERE datname = current_database()',
        )
      ).rows;
      const [table] = (
        await pg.query<Record<string, string>>(
          'SELECT n_tup_ins, n_live_tup FROM pg_stat_user_tables WHERE relname = $1',
          [this.sources.table],
        )
      ).rows;
      const [waits, locks, tableLocks] = await Promise.all([
        pg.query<{ event: string; n: number; longest_ms: number | null }>(WAITS_SQL),
        pg.query<{ n: number; relations: string[] }>(LOCKS_SQL),
        pg.query<{ n: number; longest_ms: number | string | null }>(TABLE_LOCKS_SQL, [this.sources.table]),
      ]);
      const tableLock = tableLocks.rows[0];
      const now: PgCounters = {
        atMs: nowMs,
        commits: Number(db?.xact_commit),
        rollbacks: Number(db?.xact_rollback),
        inserted: Number(db?.tup_inserted),
        hits: Number(db?.blks_hit),
        reads: Number(db?.blks_read),
        connections: Number(db?.numbackends),
        tableInserts: table ? Number(table.n_tup_ins) : null,
        liveRows: table ? Number(table.n_live_tup) : null,
      };
      const before = this.previousPg;
      const seconds = before ? (now.atMs - before.atMs) / 1000 : 0;
      const rate = (a: number | null, b: number | null | undefined) =>
        a === null || b === null || b === undefined || seconds <= 0 ? null : Math.max(0, a - b) / seconds;
      const blocks = now.hits + now.reads - (before ? before.hits + before.reads : 0);
      this.postgres = {
        available: true,
        commitsPerSecond: rate(now.commits, before?.commits),
        rollbacksPerSecond: rate(now.rollbacks, before?.rollbacks),
        rowsInsertedPerSecond: rate(now.inserted, before?.inserted),
        cacheHitRatio: before && blocks > 0 ? (now.hits - before.hits) / blocks : null,
        connections: now.connections,
        waits: postgresWaitsFrom(waits.rows, locks.rows[0]),
        storeTableLocks: {
          waiting: Number(tableLock?.n ?? 0),
          longestWaitMs: tableLock?.longest_ms == null ? null : Math.round(Number(tableLock.longest_ms)),
        },
        table:
          now.liveRows === null
            ? null
            : {
                name: this.sources.table,
                liveRows: now.liveRows,
                insertsPerSecond: rate(now.tableInserts, before?.tableInserts),
              },
      };
      this.previousPg = now;
    } catch (error) {
      this.postgres = { available: false, reason: `postgres: ${(error as Error).message}` };
    }
  }

  private async sampleRedis(): Promise<void> {
    if (!this.sources.redisInfo) return;
    try {
      this.redis = redisStatsFrom(parseRedisInfo(await this.sources.redisInfo()));
    } catch (error) {
      this.redis = { available: false, reason: `redis: ${(error as Error).message}` };
    }
  }
}
