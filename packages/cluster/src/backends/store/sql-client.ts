// A minimal SQL client over the store's database (pg pool or PGlite), for services that keep their own tables.
import type { Config } from '@logperf/core';

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
    const pool = new pg.Pool({
      connectionString: config.databaseUrl,
      max: 2,
      connectionTimeoutMillis: 5000,
      application_name: `logperf-${name}`,
    });
    pool.on('error', () => undefined);
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
