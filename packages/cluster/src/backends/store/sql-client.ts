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

