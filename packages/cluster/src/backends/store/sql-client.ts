// A minimal SQL client over the store's database (pg pool or PGlite), for services that keep their own tables.
import type { Config } from '@logperf/core';
import { applicationName, checkPoolBudget, newPoolTag } from './pool-budget.js';

/** The part of pg.Pool and PGlite both offer. */
export interface SqlClient {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
  close(): Promise<void>;
}

/** `name` separates services that share a PGlite directory (each gets its own database folder). */
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
  const { PGlite } = await import('@electric-sql/pglite');
  const db = new PGlite(config.pgliteDir === undefined ? undefined : `${config.pgliteDir}/${name}`);
  return {
    query: async <T>(sql: string, params?: unknown[]) => ({ rows: (await db.query<T>(sql, params)).rows }),
    close: () => db.close(),
  };
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
