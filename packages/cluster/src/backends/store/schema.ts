// The log_events table and every statement both stores send, so PostgreSQL and PGlite run the same SQL.
import type { LogLevel } from '@logperf/core';
import type { StoredEvent, StoredEventInput } from './store.js';

export const DEFAULT_TABLE = 'log_events';
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** The table name is spliced into SQL text (identifiers cannot be parameters), so only plain lower-case names pass. */
export function checkTable(table: string): string {
  if (!IDENTIFIER.test(table))
    throw new Error(`store table name ${JSON.stringify(table)} is not a plain lower-case SQL identifier`);
  return table;
}

/**
 * Timestamps are timestamptz (exact to the µs, so epoch ms survives unchanged): stored_at − event_ts is then
 * an interval in SQL and every time column has one type. The advisory lock keeps processors that start
 * together from racing on CREATE … IF NOT EXISTS. The stored_at index is BRIN: rows arrive in stored_at
 * order, so a BRIN index answers time-window scans at almost no cost per insert, unlike a btree.
 * Sent as one simple query: its statements form one implicit transaction, which releases the lock.
 */
export function createTableSql(table: string): string {
  const t = checkTable(table);
  return `SELECT pg_advisory_xact_lock(hashtext('logperf.store.${t}'));
CREATE TABLE IF NOT EXISTS ${t} (
  id uuid PRIMARY KEY,
  level text NOT NULL,
  message text NOT NULL,
  source text NOT NULL,
  event_ts timestamptz NOT NULL,
  trace_id text,
  attributes jsonb,
  ingested_at timestamptz NOT NULL,
  stored_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS ${t}_stored_at_brin ON ${t} USING brin (stored_at) WITH (pages_per_range = 32);`;
}

export const existingIdsSql = (table: string) =>
  `SELECT id::text AS id FROM ${checkTable(table)} WHERE id = ANY($1::uuid[])`;

export const fetchByIdsSql = (table: string) =>
  `SELECT id::text AS id, level, message, source, event_ts, trace_id, attributes, ingested_at, stored_at
FROM ${checkTable(table)} WHERE id = ANY($1::uuid[]) ORDER BY stored_at, id`;

export const countsSql = (table: string) =>
  `SELECT count(*) AS rows, count(DISTINCT id) AS distinct_ids FROM ${checkTable(table)}`;

export const truncateSql = (table: string) => `TRUNCATE ${checkTable(table)}`;

/** Maps the ids the database returned (lower-case uuids) back to the caller's spelling. */
export function matchIds(requested: readonly string[], found: readonly { id: string }[]): Set<string> {
  const stored = new Set(found.map((row) => row.id));
  return new Set(requested.filter((id) => stored.has(id.toLowerCase())));
}

export interface EventRow {
  id: string;
  level: string;
  message: string;
  source: string;
  event_ts: Date;
  trace_id: string | null;
  attributes: StoredEventInput['attributes'] | null;
  ingested_at: Date;
  stored_at: Date;
}

export function toStoredEvent(row: EventRow): StoredEvent {
  return {
    id: row.id,
    level: row.level as LogLevel,
    message: row.message,
    source: row.source,
    timestamp: row.event_ts.getTime(),
    ...(row.trace_id === null ? {} : { traceId: row.trace_id }),
    ...(row.attributes === null ? {} : { attributes: row.attributes }),
    ingestedAt: row.ingested_at.getTime(),
    storedAt: row.stored_at.getTime(),
  };
}

/** count(*) is bigint: pg returns it as a string, PGlite as a bigint or number. */
export function toCounts(row: { rows: unknown; distinct_ids: unknown } | undefined): {
  rows: number;
  distinctIds: number;
} {
  return { rows: Number(row?.rows ?? 0), distinctIds: Number(row?.distinct_ids ?? 0) };
}
