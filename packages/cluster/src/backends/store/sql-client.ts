// A minimal SQL client over the store's database (pg pool or PGlite), for services that keep their own tables.
import type { Config } from '@logperf/core';
import { applicationName, checkPoolBudget, newPoolTag } from './pool-budget.js';

/** The part of pg.Pool and PGlite both offer. */
export interface SqlClient {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
  close(): Promise<void>;
}

/** `name` separates services that share a PGlite root (each gets its own locked data folder under it). */
export async function createSqlClient(
  config: Pick<Config, 'store' | 'databaseUrl' | 'pgliteDir'>,
  name: string,
): Promise<SqlClient> {
  if (config.store === 'postgres') {
    const { default: pg } = await import('pg');
    const tag = newPoolTag(name, 2);
    const pool = new pg.Pool({
      connectionString: config.databaseUrl,
      max: tag.maxConnections,
      connectionTimeoutMillis: 5000,
      application_name: applicationName(tag),
    });
    pool.on('error', () => undefined);
    try {
      await checkPoolBudget((sql) => pool.query(sql), tag);
    } catch (error) {
      await pool.end();
      throw error;
    }
    return {
      query: async <T>(sql: string, params?: unknown[]) => ({ rows: (await pool.query(sql, params)).rows as T[] }),
      close: () => pool.end(),
    };
  }
  const { createPgliteStore } = await import('./pglite-store.js');
  const { dataDirOf } = await import('./pglite-dir.js');
  // The store's database, without its table: the same folder lock, crash recovery and disk-full message.
  const store = createPgliteStore({ dataDir: dataDirOf(config.pgliteDir, name) });
  const sql = store.sql();
  return { query: (text, params) => sql.query(text, params), close: () => store.close() };
}

/**
 * Creates a service's tables under one advisory lock for every logperf service on the database: PostgreSQL's
 * CREATE TABLE IF NOT EXISTS is not safe when two sessions run it at once (the loser fails on pg_type's unique
 * index), which services started together did. A DO block is one statement, hence one transaction that holds the
 * lock to its end, and it runs alike on pg and PGlite.
 */
export async function migrate(sql: SqlClient, statements: readonly string[]): Promise<void> {
  const body = statements.map((s) => `${s.trim().replace(/;$/, '')};`).join('\n');
  await sql.query(
    `DO $migrate$ BEGIN PERFORM pg_advisory_xact_lock(hashtext('logperf.migrations'));\n${body}\nEND $migrate$`,
  );
}
