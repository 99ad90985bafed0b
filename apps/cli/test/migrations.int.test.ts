// Every service's migrations started at the same moment on a fresh PostgreSQL database, 20 rounds in a row: none fails
// (PostgreSQL's CREATE TABLE IF NOT EXISTS alone is not safe under concurrency) and every table is there afterwards.
import { randomBytes } from 'node:crypto';
import { loadConfig } from '@logperf/core';
import { createSqlClient, createStore, type Store } from '@logperf/cluster';
import { type SqlClient } from '@logperf/platform';
import { HistoryStore, ResultsRepository } from '@logperf/measurements';
import pg from 'pg';
import { expect, it } from 'vitest';
import { describeReal, postgresProbe, realServices } from '../../../packages/cluster/test/real-services.js';

const ROUNDS = 20;
const TABLES = ['loadtest_results', 'log_events', 'monitor_baselines', 'monitor_history', 'monitor_history_minutes'];

async function withClient<T>(connectionString: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** What each service runs at start-up, each on its own connections as separate processes would. */
async function startEveryService(databaseUrl: string): Promise<void> {
  const config = loadConfig({}, { store: 'postgres', 'database-url': databaseUrl, 'pg-pool-size': '2' });
  const sql: SqlClient[] = [];
  const stores: Store[] = [];
  const client = async (name: string) => {
    const c = await createSqlClient(config, name);
    sql.push(c);
    return c;
  };
  const store = async () => {
    const s = await createStore(config);
    stores.push(s);
  };
  try {
    await Promise.all([
      client('loadgen').then((c) => new ResultsRepository(c).init()),
      client('monitor').then((c) => new HistoryStore(c).init()),
      // The analyzer creates both services' tables when it starts first.
      client('analyzer').then((c) => Promise.all([new ResultsRepository(c).init(), new HistoryStore(c).init()])),
      store(),
      store(),
    ]);
  } finally {
    await Promise.allSettled([...sql, ...stores].map((c) => c.close()));
  }
}

describeReal('migrations of every service at once', postgresProbe, () => {
  it(`create every table on a fresh database, ${ROUNDS} rounds in a row`, async () => {
    for (let round = 1; round <= ROUNDS; round++) {
      const database = `logperf_migrate_${process.pid}_${randomBytes(4).toString('hex')}`;
      await withClient(realServices.databaseUrl, (c) => c.query(`CREATE DATABASE ${database}`));
      try {
        const url = new URL(realServices.databaseUrl);
        url.pathname = `/${database}`;
        await expect(startEveryService(url.toString()), `round ${round}`).resolves.toBeUndefined();
        const tables = await withClient(url.toString(), async (c) => {
          const { rows } = await c.query<{ tablename: string }>(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
          );
          return rows.map((r) => r.tablename);
        });
        expect(tables, `round ${round}`).toEqual(TABLES);
      } finally {
        await withClient(realServices.databaseUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
      }
    }
  }, 180_000);
});
