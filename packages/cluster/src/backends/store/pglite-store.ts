// The embedded store: PGlite (PostgreSQL compiled to WASM) in this process, in a locked data folder or in memory.
import { PGlite } from '@electric-sql/pglite';
import { AppError } from '@logperf/core';
import {
  checkTable,
  countsSql,
  createTableSql,
  DEFAULT_TABLE,
  existingIdsSql,
  fetchByIdsSql,
  matchIds,
  toCounts,
  toStoredEvent,
  truncateSql,
  type EventRow,
} from './schema.js';
import { copyIntoStagingSql, createStagingSql, moveStagedSql, toCopyText } from './copy-write.js';
import { diskError, folderBytes, IN_MEMORY, isInMemory, lockDataDir } from './pglite-dir.js';
import { withRotation } from './rotating-store.js';
import type { Store } from './store.js';

export interface PgliteStoreOptions {
  /** The data folder (held by this process through a lock file beside it), or memory:// (the default). */
  dataDir?: string;
  table?: string;
  /** Rotate log_events every this many ms, dropping the segment before (see rotating-store.ts); unset keeps every row. */
  retentionMs?: number;
  /** Only this long after a rotation can a redelivered event's row be in the previous segment (see rotating-store.ts). */
  redeliveryMs?: number;
  /** Clock for the rotation, epoch ms (tests). */
  now?: () => number;
  /** Writes stop while the folder's disk has less than this free (default 64 MiB: disk-guard.ts). */
  minFreeBytes?: number;
}

/** The store, with log_events rotating when a retention is given (the embedded default: see docs/MEMORY.md). */
export function createPgliteStore(options: PgliteStoreOptions = {}): Store {
  const { store, exec, dataDir } = createBaseStore(options);
  if (options.retentionMs === undefined) return store;
  return withRotation(store, {
    table: options.table ?? DEFAULT_TABLE,
    retentionMs: options.retentionMs,
    ...(options.redeliveryMs === undefined ? {} : { redeliveryMs: options.redeliveryMs }),
    exec,
    where: dataDir,
    ...(options.now ? { now: options.now } : {}),
    ...(options.minFreeBytes === undefined ? {} : { minFreeBytes: options.minFreeBytes }),
    sizeBytes: async () =>
      isInMemory(dataDir)
        ? Number(
            (await store.sql().query<{ bytes: unknown }>('SELECT pg_database_size(current_database()) AS bytes'))
              .rows[0]?.bytes,
          )
        : folderBytes(dataDir),
  });
}

/**
 * PGlite has one backend and queues every query on its own mutex, so calls from concurrent
 * consumers are already serialised; each of ours is one statement, so none interleave inside a transaction.
 * The database starts on first use, so creating the store stays synchronous like the PostgreSQL one.
 */
function createBaseStore(options: PgliteStoreOptions) {
  const table = checkTable(options.table ?? DEFAULT_TABLE);
  const copySql = copyIntoStagingSql(table, "'/dev/blob'");
  const moveSql = moveStagedSql(table);
  let staging: Promise<unknown> | undefined;
  const dataDir = options.dataDir ?? IN_MEMORY;
  let db: Promise<PGlite> | undefined;
  let unlock: (() => Promise<void>) | undefined;
  let closed = false;
  const create = async () => {
    if (isInMemory(dataDir)) return PGlite.create({ dataDir });
    unlock = await lockDataDir(dataDir);
    // After this process crashed PostgreSQL replays its WAL here (PGlite runs fsync off: a machine crash is not covered).
    return PGlite.create({ dataDir }).catch(async (error: unknown) => {
      await unlock?.();
      throw diskError(error, dataDir);
    });
  };
  const open = async (): Promise<PGlite> => {
    if (closed) throw new AppError('BACKEND_UNAVAILABLE', 'pglite store is closed');
    db ??= create();
    return db;
  };

  const store: Store = {
    kind: 'pglite',

    sql: () => ({
      query: async <T>(sql: string, params?: unknown[]) => ({
        rows: (await (await open()).query<T>(sql, params)).rows,
      }),
      close: () => Promise.resolve(),
    }),

    async init() {
      await (await open()).exec(createTableSql(table));
    },

    async insertBatch(events) {
      if (events.length === 0) return { inserted: 0, storedAt: Date.now() };
      const database = await open();
      // PGlite is one session: its temporary staging table is created once. The transaction holds PGlite's lock, so
      // another writer's COPY cannot land between this COPY and its move; its end (or a rollback) empties the table.
      await (staging ??= database.exec(createStagingSql(table)));
      const inserted = await database.transaction(async (tx) => {
        await tx.query(copySql, [], { blob: new Blob([toCopyText(events)]) });
        return (await tx.query(moveSql)).affectedRows ?? 0;
      });
      return { inserted, storedAt: Date.now() };
    },

    async existingIds(ids) {
      if (ids.length === 0) return new Set();
      const result = await (await open()).query<{ id: string }>(existingIdsSql(table), [ids]);
      return matchIds(ids, result.rows);
    },

    async fetchByIds(ids) {
      if (ids.length === 0) return [];
      const result = await (await open()).query<EventRow>(fetchByIdsSql(table), [ids]);
      return result.rows.map(toStoredEvent);
    },

    async counts() {
      const result = await (await open()).query<{ rows: unknown; distinct_ids: unknown }>(countsSql(table));
      return toCounts(result.rows[0]);
    },

    async truncate() {
      await (await open()).exec(truncateSql(table));
    },

    async health() {
      try {
        await (await open()).query('select 1');
      } catch (error) {
        throw new AppError('BACKEND_UNAVAILABLE', `pglite: ${(error as Error).message}`, { cause: error });
      }
    },

    async close() {
      if (closed) return;
      closed = true;
      const opened = db;
      db = undefined;
      // A database that never opened has nothing to close.
      const database = await opened?.catch(() => undefined);
      await database?.close();
      await unlock?.();
    },
  };
  const exec = async (sql: string) => {
    try {
      await (await open()).exec(sql);
    } catch (error) {
      throw diskError(error, dataDir);
    }
  };
  return { store, exec, dataDir };
}
