// Rows written before the stored shapes carried a version stay readable: on the embedded store and on a real
// PostgreSQL database, tables created by the old migrations and rows in the old format are read through today's
// repositories and schemas (version 1), and a row written today carries the current version.
import { randomBytes } from 'node:crypto';
import { loadConfig } from '@logperf/core';
import { createSqlClient } from '@logperf/cluster';
import type { SqlClient } from '@logperf/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeReal, postgresProbe, realServices } from '../../../packages/cluster/test/real-services.js';
import {
  HISTORY_ROW_VERSION,
  HistoryStore,
  MinuteHistory,
  RESULT_VERSION,
  ResultsRepository,
  storedLoadTestResultSchema,
  type HistoryRow,
} from '@logperf/measurements';

const AT_MS = Date.UTC(2026, 0, 5, 10, 0, 0);

/** A node as the monitor stored it before it kept the process's rss and the embedded store's size. */
const oldNode = {
  id: 'processor-1',
  role: 'processor',
  up: true,
  cpuPercent: 41.5,
  systemCpuPercent: 60,
  memoryPercent: 22,
  ioUtilPercent: null,
  networkRxBytesPerSecond: 1000,
  networkTxBytesPerSecond: 2000,
  eventLoopLagP99Ms: 3,
  gcPauseMs: 4,
  eventsPerSecond: 900,
};

/** A result as the generator stored it before results had a version and before lateness was split by cause. */
const oldResult = {
  target: 'http://127.0.0.1:1',
  durationSeconds: 10,
  intendedRatePerSecond: 1000,
  achievedRatePerSecond: 950,
  intended: 10_000,
  acknowledged: 9_500,
  saturated: true,
  saturatedAtSeconds: 6.5,
  timeline: [{ second: 0, intended: 1000, acknowledged: 950, errors: 0, latencyMs: { count: 950, p50: 2, p99: 9 } }],
  thresholds: [{ name: 'p99Ms', limit: 50, actual: 9, passed: true }],
};

function oldFormatSuite(open: () => Promise<SqlClient>, close: (sql: SqlClient) => Promise<void>) {
  let sql: SqlClient;

  beforeAll(async () => {
    sql = await open();
    // The tables as the migrations before the version column created them, holding rows of that time.
    await sql.query(`CREATE TABLE IF NOT EXISTS monitor_history (
      at timestamptz PRIMARY KEY, throughput double precision NOT NULL, queue_depth bigint, nodes jsonb NOT NULL, latency jsonb NOT NULL)`);
    await sql.query(`CREATE TABLE IF NOT EXISTS monitor_history_minutes (
      at timestamptz PRIMARY KEY, seconds integer NOT NULL, throughput double precision NOT NULL, queue_depth bigint,
      nodes jsonb NOT NULL, latency jsonb NOT NULL)`);
    await sql.query(
      'INSERT INTO monitor_history (at, throughput, queue_depth, nodes, latency) VALUES ($1, 900, 12, $2::jsonb, $3::jsonb)',
      [new Date(AT_MS), JSON.stringify([oldNode]), JSON.stringify({ store: 'not-decoded-here' })],
    );
    // A minute aggregate of that time averaged storeInMemory (a flag) into a number.
    await sql.query(
      `INSERT INTO monitor_history_minutes (at, seconds, throughput, queue_depth, nodes, latency)
       VALUES ($1, 60, 880, NULL, $2::jsonb, '{}'::jsonb)`,
      [new Date(AT_MS + 60_000), JSON.stringify([{ ...oldNode, storeBytes: 1024, storeInMemory: 1 }])],
    );
  });

  afterAll(async () => {
    await close(sql);
  });

  it('reads a monitor history row without a version, and writes today’s rows with one', async () => {
    const history = new HistoryStore(sql);
    await history.init(); // today's migrations over the old table
    const [old] = await history.range(AT_MS, AT_MS);
    expect(old).toEqual({
      atMs: AT_MS,
      throughput: 900,
      queueDepth: 12,
      nodes: [oldNode],
      latency: { store: 'not-decoded-here' },
    } satisfies HistoryRow);

    // Today's rows are packed: memory in whole KiB, histograms as their bytes (so valid base64).
    const row: HistoryRow = {
      ...old!,
      atMs: AT_MS + 1000,
      nodes: [{ ...oldNode, rssBytes: 50 * 1024 * 1024, storeBytes: null }],
      latency: { store: Buffer.from('hdr bytes').toString('base64') },
    };
    await history.append(row);
    const { rows } = await sql.query<{ at: Date; version: number | null }>(
      'SELECT at, version FROM monitor_history WHERE at >= $1 ORDER BY at',
      [new Date(AT_MS)],
    );
    expect(rows.map((r) => r.version)).toEqual([null, HISTORY_ROW_VERSION]);
    expect(await history.range(AT_MS + 1000, AT_MS + 1000)).toEqual([row]);
  });

  it('reads an old per-minute aggregate, its averaged flag as a flag', async () => {
    const minutes = new MinuteHistory(sql, new HistoryStore(sql));
    await minutes.init();
    const [minute] = await minutes.range(AT_MS + 60_000, AT_MS + 120_000);
    expect(minute).toMatchObject({ seconds: 60, throughput: 880, queueDepth: null });
    expect(minute!.nodes[0]).toMatchObject({ cpuPercent: 41.5, storeBytes: 1024, storeInMemory: true });
  });

  it('reads a load-test result written before results had a version as version 1', async () => {
    const results = new ResultsRepository(sql);
    await results.init();
    const testId = `p15b-old-${randomBytes(4).toString('hex')}`;
    await results.save({
      testId,
      testName: 'old',
      kind: 'burst',
      status: 'completed',
      startedAt: AT_MS,
      finishedAt: AT_MS + 10_000,
      passed: true,
      result: oldResult,
    });
    const stored = await results.get(testId);
    expect(stored).toMatchObject({ testId, status: 'completed', startedAt: AT_MS, finishedAt: AT_MS + 10_000 });
    const body = storedLoadTestResultSchema.parse(stored!.result);
    expect(body).toMatchObject({
      resultVersion: 1,
      saturated: true,
      saturatedAtSeconds: 6.5,
      dropped: 0,
      late: 0,
      errors: {},
      acknowledged: 9_500,
    });
    expect(body.generatorLimited).toBeUndefined();
    expect(body.timeline[0]!.latencyMs).toEqual({ count: 950, p50: 2, p99: 9 });
    // A result of today's version keeps its version.
    expect(storedLoadTestResultSchema.parse({ ...oldResult, resultVersion: RESULT_VERSION }).resultVersion).toBe(3);
    // A row no version wrote is refused, naming the field.
    expect(() => storedLoadTestResultSchema.parse({ ...oldResult, intended: 'many' })).toThrow(/intended/);
  });
}

describe('old-format rows on the embedded store', () => {
  oldFormatSuite(
    () => createSqlClient(loadConfig({}, {}), `old-rows-p15b-${process.pid}`),
    (sql) => sql.close(),
  );
});

describeReal('old-format rows on PostgreSQL', postgresProbe, () => {
  const database = `logperf_old_rows_p15b_${process.pid}_${randomBytes(4).toString('hex')}`;
  let admin: SqlClient;
  const config = (url: string) => loadConfig({}, { store: 'postgres', 'database-url': url, 'pg-pool-size': '2' });
  oldFormatSuite(
    async () => {
      admin = await createSqlClient(config(realServices.databaseUrl), 'old-rows-admin');
      await admin.query(`CREATE DATABASE ${database}`);
      const url = new URL(realServices.databaseUrl);
      url.pathname = `/${database}`;
      return createSqlClient(config(url.toString()), 'old-rows');
    },
    async (sql) => {
      await sql.close();
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.close();
    },
  );
});
