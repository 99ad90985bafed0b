// The Store contract on a real PostgreSQL, in a table of its own that is dropped afterwards.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresStore } from '../src/backends/store/postgres-store.js';
import { describeReal, postgresProbe, realServices } from './real-services.js';
import { storeContract } from './store.contract.js';

const connectionString = realServices.databaseUrl;
const table = `log_events_test_${process.pid}_${randomBytes(4).toString('hex')}`;

async function withClient<T>(use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    return await use(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

describeReal('postgres store on a real server', postgresProbe, () => {
  afterAll(async () => {
    await withClient((client) => client.query(`DROP TABLE IF EXISTS ${table}`));
  });

  storeContract('postgres', async () => createPostgresStore({ connectionString, table, poolSize: 4 }));

  it('creates the table with the agreed column types and a stored_at index', async () => {
    const columns = await withClient(
      async (client) =>
        (
          await client.query<{ column_name: string; data_type: string; is_nullable: string }>(
            'SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position',
            [table],
          )
        ).rows,
    );
    expect(columns.map((c) => `${c.column_name} ${c.data_type} ${c.is_nullable}`)).toEqual([
      'id uuid NO',
      'level text NO',
      'message text NO',
      'source text NO',
      'event_ts timestamp with time zone NO',
      'trace_id text YES',
      'attributes jsonb YES',
      'ingested_at timestamp with time zone NO',
      'stored_at timestamp with time zone NO',
    ]);
    const indexes = await withClient(
      async (client) =>
        (await client.query<{ indexdef: string }>('SELECT indexdef FROM pg_indexes WHERE tablename = $1', [table]))
          .rows,
    );
    expect(indexes.some((i) => /USING brin \(stored_at\)/.test(i.indexdef))).toBe(true);
  });
});

describe('postgres store without a server', () => {
  it('fails health within its timeout instead of hanging', async () => {
    const store = createPostgresStore({ connectionString: 'postgres://postgres@127.0.0.1:1/test' });
    const started = Date.now();
    await expect(store.health()).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
    expect(Date.now() - started).toBeLessThan(2_500);
    await expect(
      store.insertBatch([
        {
          id: '00000000-0000-4000-8000-000000000000',
          level: 'INFO',
          message: 'm',
          source: 's',
          timestamp: 1,
          ingestedAt: 1,
        },
      ]),
    ).rejects.toThrow();
    await store.close();
  });
});
