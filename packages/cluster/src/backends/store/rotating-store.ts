// Retention for the embedded store: log_events rotates into log_events_prev every window and the old
// log_events_prev is dropped whole, so the table holds at most two windows of events however long a test runs.
import { AppError } from '@logperf/core';
import { createDiskGuard, type DiskGuardOptions } from './disk-guard.js';
import { checkTable, createTableSql, matchIds, toCounts, toStoredEvent, type EventRow } from './schema.js';
import type { Store, StoreUsage } from './store.js';

export interface RotationOptions {
  table: string;
  /** Every stored row is kept at least this long and at most twice this long. */
  retentionMs: number;
  /**
   * The latest the bus hands a stored event back (config: LOGPERF_BUS_REDELIVERY_SECONDS). Past this long after a
   * rotation every redelivery's row is in the current segment, so the previous one is no longer checked
   * (that check costs 15 % of the write rate: bench/pglite-disk.ts). Unset: checked until the next rotation.
   */
  redeliveryMs?: number;
  /** Runs a multi-statement script as one transaction that nothing else interleaves with (PGlite's exec). */
  exec(sql: string): Promise<void>;
  /** Bytes the store takes (its data folder, or its in-memory files). */
  sizeBytes(): Promise<number>;
  where: string;
  now?: () => number;
  /** Writes stop while the folder's disk has less than this free (disk-guard.ts). */
  minFreeBytes?: number;
  freeBytes?: DiskGuardOptions['freeBytes'];
}

/** Drops the previous segment and renames the current one (and its indexes) in its place: no row is deleted one by one. */
export function rotateSql(table: string): string {
  const t = checkTable(table);
  return [
    `DROP TABLE IF EXISTS ${t}_prev`,
    `ALTER TABLE ${t} RENAME TO ${t}_prev`,
    `ALTER INDEX ${t}_pkey RENAME TO ${t}_prev_pkey`,
    `ALTER INDEX ${t}_stored_at_brin RENAME TO ${t}_prev_stored_at_brin`,
    createTableSql(t),
  ].join(';\n');
}

/** Reads over both segments; `${t}_prev` is the previous one (table names are spliced only as checked identifiers). */
const bothSql = {
  existingIds: (t: string) =>
    `SELECT id::text AS id FROM ${t} WHERE id = ANY($1::uuid[]) UNION ALL SELECT id::text AS id FROM ${t}_prev WHERE id = ANY($1::uuid[])`,
  fetchByIds: (t: string) =>
    `SELECT id::text AS id, level, message, source, event_ts, trace_id, attributes, ingested_at, stored_at FROM ${t} WHERE id = ANY($1::uuid[])
UNION ALL SELECT id::text AS id, level, message, source, event_ts, trace_id, attributes, ingested_at, stored_at FROM ${t}_prev WHERE id = ANY($1::uuid[])
ORDER BY stored_at, id`,
  counts: (t: string) =>
    `SELECT count(*) AS rows, count(DISTINCT id) AS distinct_ids FROM (SELECT id FROM ${t} UNION ALL SELECT id FROM ${t}_prev) AS both_segments`,
  truncate: (t: string) => `TRUNCATE ${t}, ${t}_prev`,
  previousIds: (t: string) => `SELECT id::text AS id FROM ${t}_prev WHERE id = ANY($1::uuid[])`,
  previousHasRows: (t: string) => `SELECT EXISTS (SELECT 1 FROM ${t}_prev) AS any`,
};

const SIZE_REFRESH_MS = 5000;

/**
 * Wraps the PGlite store. A write that arrives after the window has passed first rotates (waiting for writes in flight,
 * holding new ones). An id already in the previous segment is not written again: a redelivery up to a window late is
 * still stored once (config makes the window longer than the bus's redelivery window). Reads cover both segments.
 */
export function withRotation(store: Store, options: RotationOptions): Store {
  const table = checkTable(options.table);
  const previous = checkTable(`${table}_prev`); // fails early when the name is too long to take the suffix
  const now = options.now ?? Date.now;
  const sql = store.sql();
  let segmentStartedAt = now();
  let previousHasRows = false;
  let rotations = 0;
  let active = 0;
  let idle: (() => void)[] = [];
  let rotating: Promise<void> | undefined;
  let size: { atMs: number; bytes: number | null; reason?: string } | undefined;
  let measuring: Promise<void> | undefined;
  const disk = createDiskGuard({
    where: options.where,
    now,
    ...(options.minFreeBytes === undefined ? {} : { minFreeBytes: options.minFreeBytes }),
    ...(options.freeBytes ? { freeBytes: options.freeBytes } : {}),
  });
  /**
   * One measurement at a time, at most every SIZE_REFRESH_MS: a scrape every second that each walked the folder
   * again while the last walk was still running piled up until /api/node/stats stopped answering (seen at 10,000/s).
   */
  const measure = (at: number) =>
    (measuring ??= options
      .sizeBytes()
      .then(
        (bytes) => void (size = { atMs: at, bytes }),
        (error: unknown) => void (size = { atMs: at, bytes: null, reason: (error as Error).message }),
      )
      .finally(() => (measuring = undefined)));

  const rotate = async () => {
    while (active > 0) await new Promise<void>((resolve) => idle.push(resolve));
    await options.exec(rotateSql(table));
    segmentStartedAt = now();
    previousHasRows = true;
    rotations++;
  };
  const enter = async () => {
    for (;;) {
      if (rotating) await rotating.catch(() => undefined);
      else if (now() - segmentStartedAt >= options.retentionMs) {
        rotating = rotate().finally(() => (rotating = undefined));
        await rotating;
      } else break;
    }
    active++;
  };
  const leave = () => {
    if (--active > 0) return;
    const woken = idle;
    idle = [];
    for (const resolve of woken) resolve();
  };

  return {
    ...store,

    async init() {
      await store.init();
      await options.exec(createTableSql(previous));
      const { rows } = await sql.query<{ any: boolean }>(bothSql.previousHasRows(table));
      previousHasRows = rows[0]?.any === true;
    },

    async insertBatch(events) {
      // A due rotation goes first: dropping the previous segment is what frees room on a full disk.
      await enter().catch((error: unknown) => {
        throw disk.failed(error);
      });
      try {
        await disk.check();
        const redeliveryPossible = now() - segmentStartedAt < (options.redeliveryMs ?? Infinity);
        const ids = events.map((e) => e.id);
        const known =
          !previousHasRows || !redeliveryPossible || events.length === 0
            ? new Set<string>()
            : matchIds(ids, (await sql.query<{ id: string }>(bothSql.previousIds(table), [ids])).rows);
        const result = await store.insertBatch(known.size === 0 ? events : events.filter((e) => !known.has(e.id)));
        disk.succeeded();
        return result;
      } catch (error) {
        throw disk.failed(error);
      } finally {
        leave();
      }
    },

    writeFailure: () => disk.failure(),

    async health() {
      const failure = disk.failure();
      if (failure !== null) throw new AppError('BACKEND_UNAVAILABLE', failure);
      await store.health();
    },

    async existingIds(ids) {
      if (ids.length === 0) return new Set();
      const { rows } = await sql.query<{ id: string }>(bothSql.existingIds(table), [ids]);
      return matchIds(ids, rows);
    },

    async fetchByIds(ids) {
      if (ids.length === 0) return [];
      const { rows } = await sql.query<EventRow>(bothSql.fetchByIds(table), [ids]);
      return rows.map(toStoredEvent);
    },

    async counts() {
      const { rows } = await sql.query<{ rows: unknown; distinct_ids: unknown }>(bothSql.counts(table));
      return toCounts(rows[0]);
    },

    async truncate() {
      await options.exec(bothSql.truncate(table));
      previousHasRows = false;
    },

    async usage(): Promise<StoreUsage> {
      const at = now();
      // The first answer waits for a figure; later ones return the last and refresh it behind.
      if (!size) await measure(at);
      else if (at - size.atMs >= SIZE_REFRESH_MS) void measure(at);
      const known = size ?? { bytes: null, reason: 'not measured yet' };
      return {
        where: options.where,
        sizeBytes: known.bytes,
        ...(known.reason === undefined ? {} : { sizeUnavailable: known.reason }),
        writeError: disk.failure(),
        retention: {
          windowSeconds: options.retentionMs / 1000,
          rotations,
          segmentStartedAt,
        },
      };
    },
  };
}
