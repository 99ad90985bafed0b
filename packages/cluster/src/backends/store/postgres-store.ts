// The store on a real PostgreSQL through a pg connection pool: each batch COPYed into a staging table, then moved, idempotent by id.
import { AppError, withTimeout } from '@logperf/core';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
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
import { applicationName, checkPoolBudget, newPoolTag } from './pool-budget.js';
import type { Store } from './store.js';

export interface PostgresStoreOptions {
  connectionString: string;
  table?: string;
  /** Connections in the pool (default 10). */
  poolSize?: number;
  /** Connections opened at init and kept open while idle (default 0: opened on demand, closed after 30 s idle). */
  minIdle?: number;
  /** Names the pool in pg_stat_activity as logperf-<role>/<pid>.<n>/<poolSize> (default `store`). */
  role?: string;
  /** Server-side limit for one statement (default 30 s); a batch that takes longer fails and is retried. */
  statementTimeoutMs?: number;
}

const CONNECT_TIMEOUT_MS = 5_000;
const ignoreClientError = () => undefined;
const HEALTH_TIMEOUT_MS = 2_000;

export function createPostgresStore(options: PostgresStoreOptions): Store {
  const table = checkTable(options.table ?? DEFAULT_TABLE);
  const statementTimeoutMs = options.statementTimeoutMs ?? 30_000;
  const tag = newPoolTag(options.role ?? 'store', options.poolSize ?? 10);
  const minIdle = Math.min(options.minIdle ?? 0, tag.maxConnections);
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: tag.maxConnections,
    min: minIdle,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
    statement_timeout: statementTimeoutMs,
    // The client-side limit catches what the server cannot: a silent network or a stopped server.
    query_timeout: statementTimeoutMs + CONNECT_TIMEOUT_MS,
    application_name: applicationName(tag),
  });
  // An idle connection that breaks (server restart) emits here; unhandled, it would kill the process. The next query reconnects.
  pool.on('error', () => undefined);
  const copySql = copyIntoStagingSql(table, 'STDIN');
  const moveSql = moveStagedSql(table);
  /** Connections whose session already has the temporary staging table. */
  const staged = new WeakSet<pg.PoolClient>();

  /** COPY has no client-side query timeout; a silent server must still fail the batch (and drop the connection). */
  const copyRows = (client: pg.PoolClient, text: string) =>
    withTimeout(
      new Promise<void>((resolve, reject) => {
        const stream = client.query(copyFrom(copySql));
        stream.on('error', reject);
        stream.on('finish', resolve);
        stream.end(text);
      }),
      statementTimeoutMs + CONNECT_TIMEOUT_MS,
      () => new Error(`COPY did not finish within ${statementTimeoutMs + CONNECT_TIMEOUT_MS} ms`),
    );
  let closed: Promise<void> | undefined;

  return {
    kind: 'postgres',

    sql: () => ({
      query: async <T>(sql: string, params?: unknown[]) => ({ rows: (await pool.query(sql, params)).rows as T[] }),
      close: () => Promise.resolve(),
    }),

    async init() {
      await checkPoolBudget((sql) => pool.query(sql), tag);
      await pool.query(createTableSql(table));
      // pg keeps `min` connections from closing but does not open them: take them all once, so they are there.
      const clients = await Promise.all(Array.from({ length: minIdle }, () => pool.connect()));
      for (const client of clients) client.release();
    },

    async insertBatch(events) {
      if (events.length === 0) return { inserted: 0, storedAt: Date.now() };
      const client = await pool.connect();
      let failure: Error | undefined;
      // The pool listens for errors only on idle connections: a server that dies while this one is checked out would
      // emit an unhandled 'error' and end the process. The write in progress fails on its own and drops the connection.
      client.on('error', ignoreClientError);
      try {
        if (!staged.has(client)) {
          await client.query(createStagingSql(table));
          staged.add(client);
        }
        // One transaction: the staging table empties at COMMIT (see copy-write.ts).
        await client.query('BEGIN');
        await copyRows(client, toCopyText(events));
        const result = await client.query(moveSql);
        await client.query('COMMIT');
        return { inserted: result.rowCount ?? 0, storedAt: Date.now() };
      } catch (error) {
        failure = error as Error;
        throw error;
      } finally {
        // A connection whose write failed may be inside a transaction or a half-sent COPY: it is closed, not reused.
        client.off('error', ignoreClientError);
        client.release(failure ?? false);
      }
    },

    async existingIds(ids) {
      if (ids.length === 0) return new Set();
      const result = await pool.query<{ id: string }>(existingIdsSql(table), [ids]);
      return matchIds(ids, result.rows);
    },

    async fetchByIds(ids) {
      if (ids.length === 0) return [];
      const result = await pool.query<EventRow>(fetchByIdsSql(table), [ids]);
      return result.rows.map(toStoredEvent);
    },

    async counts() {
      const result = await pool.query<{ rows: string; distinct_ids: string }>(countsSql(table));
      return toCounts(result.rows[0]);
    },

    async truncate() {
      await pool.query(truncateSql(table));
    },

    async health() {
      try {
        await withTimeout(
          pool.query('select 1'),
          HEALTH_TIMEOUT_MS,
          () => new Error(`no answer within ${HEALTH_TIMEOUT_MS} ms`),
        );
      } catch (error) {
        throw new AppError('BACKEND_UNAVAILABLE', `postgres: ${(error as Error).message}`, { cause: error });
      }
    },

    async close() {
      closed ??= pool.end();
      await closed;
    },
  };
}
