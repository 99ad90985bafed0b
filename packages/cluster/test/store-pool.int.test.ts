// The store's pool on a real PostgreSQL: its size and minimum idle are honoured (counted in pg_stat_activity by the
// pool's application_name), and a pool that cannot fit in the server's max_connections refuses to start.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { createPostgresStore } from '../src/backends/store/postgres-store.js';
import type { Store } from '../src/backends/store/store.js';
import { describeReal, postgresProbe, realServices } from './real-services.js';
import { sleep } from '@logperf/core';

const connectionString = realServices.databaseUrl;
const suffix = `${process.pid}_${randomBytes(4).toString('hex')}`;
const table = `log_events_pool_${suffix}`;
const role = `pooltest-${suffix.replace('_', '-')}`;

async function withClient<T>(use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    return await use(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const connectionsOf = (name: string) =>
  withClient(async (client) =>
    Number(
      (
        await client.query<{ n: string }>(`SELECT count(*) AS n FROM pg_stat_activity WHERE application_name LIKE $1`, [
          `logperf-${name}/%`,
        ])
      ).rows[0]?.n,
    ),
  );

describeReal('store pool on a real PostgreSQL', postgresProbe, () => {
  const stores: Store[] = [];
  afterAll(async () => {
    for (const store of stores) await store.close();
    await withClient((client) => client.query(`DROP TABLE IF EXISTS ${table}`));
  });

  it('opens the minimum idle at start, never more than the pool size under 20 concurrent queries', async () => {
    const store = createPostgresStore({ connectionString, table, poolSize: 7, minIdle: 3, role });
    stores.push(store);
    await store.init();
    expect(await connectionsOf(role)).toBe(3);
    const sql = store.sql();
    const busy = Promise.all(Array.from({ length: 20 }, () => sql.query('SELECT pg_sleep(0.5)')));
    await sleep(250);
    const during = await connectionsOf(role);
    await busy;
    expect(during).toBe(7);
  }, 30_000);

  it('refuses a pool larger than the server allows, saying what the server allows', async () => {
    const maxConnections = await withClient(
      async (client) =>
        (await client.query<{ max_connections: string }>('SHOW max_connections')).rows[0]!.max_connections,
    );
    const store = createPostgresStore({
      connectionString,
      table,
      poolSize: Number(maxConnections) + 1,
      role: `${role}-big`,
    });
    stores.push(store);
    await expect(store.init()).rejects.toThrow(`PostgreSQL allows ${maxConnections} connections`);
    expect(await connectionsOf(`${role}-big`)).toBeLessThanOrEqual(1);
  }, 30_000);
});
