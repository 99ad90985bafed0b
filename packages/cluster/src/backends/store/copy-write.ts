// The store's write path on both databases: COPY a batch into a session-private staging table, then move it into
// log_events with one INSERT … SELECT … ON CONFLICT DO NOTHING (COPY alone cannot skip ids already stored).
import { checkTable } from './schema.js';
import type { StoredEventInput } from './store.js';

/**
 * A temporary table lives in one session, so concurrent writers on other connections never see each other's rows,
 * and it writes no WAL. COPY and the move run in one transaction and the table empties at its end (ON COMMIT DELETE
 * ROWS truncates it, also on rollback). Deleting the rows instead left dead tuples that nothing vacuums (autovacuum
 * skips temporary tables): PGlite's cost per event tripled within 90 batches of 1,000.
 */
export const stagingTable = (table: string) => `${checkTable(table)}_staging`;

export function createStagingSql(table: string): string {
  return `CREATE TEMP TABLE IF NOT EXISTS ${stagingTable(table)} (
  id uuid, level text, message text, source text, event_ms float8, trace_id text, attributes text, ingested_ms float8
) ON COMMIT DELETE ROWS`;
}

export const copyIntoStagingSql = (table: string, from: 'STDIN' | "'/dev/blob'") =>
  `COPY ${stagingTable(table)} FROM ${from}`;

/**
 * Runs inside the COPY's transaction: stored_at takes now(), the transaction's start on the database clock. to_timestamp
 * keeps epoch ms exact (µs precision). A duplicate id inside the batch is skipped like one already stored. The row
 * count is the number of events newly written. `${t}_staging` is stagingTable(t), spelled out so that SQL text holds
 * no expression but the checked table name.
 */
export function moveStagedSql(table: string): string {
  const t = checkTable(table);
  return `INSERT INTO ${t} (id, level, message, source, event_ts, trace_id, attributes, ingested_at)
SELECT id, level, message, source, to_timestamp(event_ms / 1000), trace_id, attributes::jsonb, to_timestamp(ingested_ms / 1000)
FROM ${t}_staging
ON CONFLICT (id) DO NOTHING`;
}

const SPECIAL = /[\\\t\n\r]/;
const SPECIAL_ALL = /[\\\t\n\r]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** COPY text format: backslash, tab, newline and carriage return escaped; most fields have none, so test first. */
function text(value: string): string {
  return SPECIAL.test(value) ? value.replace(SPECIAL_ALL, (c) => ESCAPES[c] ?? c) : value;
}

/** The batch as COPY text rows, in the staging table's column order; \N is NULL. */
export function toCopyText(events: readonly StoredEventInput[]): string {
  let out = '';
  for (const e of events) {
    const traceId = e.traceId === undefined ? '\\N' : text(e.traceId);
    const attributes = e.attributes === undefined ? '\\N' : text(JSON.stringify(e.attributes));
    out += `${e.id}\t${e.level}\t${text(e.message)}\t${text(e.source)}\t${e.timestamp}\t${traceId}\t${attributes}\t${e.ingestedAt}\n`;
  }
  return out;
}
