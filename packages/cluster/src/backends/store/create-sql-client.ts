// Opens a SqlClient on the store's database (pg pool or PGlite), for services that keep their own tables there.
import type { Config } from '@logperf/core';
import type { SqlClient } from '@logperf/platform';
import { applicationName, checkPoolBudget, newPoolTag } from './pool-budget.js';

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
