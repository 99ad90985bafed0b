// PostgreSQL lock waits seen live: a private table locked in one session, an insert waiting in another, and the
// monitor's backend statistics naming the lock, the relation and how long the insert has waited.
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeReal, postgresProbe, realServices } from '../../../packages/cluster/test/real-services.js';
import { BackendStats } from '../src/backend-stats.js';
import { sleep } from '@logperf/core';

describeReal('PostgreSQL waits in the backend statistics', postgresProbe, () => {
  const table = `waits_it_${Date.now()}_${process.pid}`;
  const holder = new pg.Client({ connectionString: realServices.databaseUrl });
  const writer = new pg.Client({ connectionString: realServices.databaseUrl });
  const sampler = new pg.Pool({ connectionString: realServices.databaseUrl, max: 2 });

  beforeAll(async () => {
    await Promise.all([holder.connect(), writer.connect()]);
    await holder.query(`CREATE TABLE ${table} (id int)`);
  });
  afterAll(async () => {
    await holder.query('ROLLBACK').catch(() => undefined);
    await holder.query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    await Promise.all([holder.end(), writer.end(), sampler.end()]);
  });

  it('counts the waiting insert under Lock:relation (a test from the same database may add its own), names the locked table and times the wait', async () => {
    const stats = new BackendStats({ postgres: sampler, table }, { store: 'postgres', cache: 'memory' });
    await stats.sample();
    const sampled = () => {
      const postgres = stats.postgres;
      if (!postgres.available) throw new Error(postgres.reason);
      return postgres;
    };
    // The database is shared with other tests: assert on this table's waits only.
    expect(sampled().waits.lockedRelations).not.toContain(table);

    await holder.query('BEGIN');
    await holder.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
    const insert = writer.query(`INSERT INTO ${table} VALUES (1)`);
    await sleep(600);
    await stats.sample();
    await holder.query('ROLLBACK');
    await insert;

    const { waits } = sampled();
    expect(waits.byEvent['Lock:relation']).toBeGreaterThanOrEqual(1);
    expect(waits.locksNotGranted).toBeGreaterThanOrEqual(1);
    expect(waits.lockedRelations).toContain(table);
    expect(waits.longestLockWaitMs).toBeGreaterThanOrEqual(500);
  });
});
