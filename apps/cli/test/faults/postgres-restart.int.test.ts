// Fault: the processors' PostgreSQL (a private cluster) crashes (`pg_ctl stop -m immediate`) during a load test and is
// started again. Processors retry the batch they hold, commit no offset for it, and store every event exactly once.
import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { describeReal, kafkaProbe, redisProbe } from '../../../../packages/cluster/test/real-services.js';
import type { CliProcess } from '../cli-process.js';
import { sleep } from '@logperf/core';
import {
  checkStored,
  cleanUp,
  deliveryFigures,
  faultEnv,
  loggedReasons,
  report,
  startGateway,
  startProcessor,
  StoreWatch,
  sumCounters,
} from './fault-harness.js';
import { LoadDriver } from './load-driver.js';
import { startPrivatePostgres, type PrivateServer } from './private-services.js';

const RATE = 1500;
const DURATION_MS = 16_000;
const STOP_AT_MS = 4_000;
const DOWN_MS = 4_000;

describeReal('fault: PostgreSQL restarts during a load test', [kafkaProbe, redisProbe], () => {
  const processes: CliProcess[] = [];
  let postgres: PrivateServer | undefined;
  let db: pg.Pool | undefined;
  afterAll(async () => {
    await cleanUp(processes, db, undefined);
    await postgres?.destroy();
  }, 60_000);

  it('retries the unstored batches after the restart: nothing lost, nothing twice', async () => {
    postgres = await startPrivatePostgres();
    const env = faultEnv('pg', { LOGPERF_DATABASE_URL: postgres.url });
    db = new pg.Pool({ connectionString: postgres.url, max: 2, connectionTimeoutMillis: 2000 });
    db.on('error', () => undefined); // its idle connections break when the server goes away
    const processors = [await startProcessor(env)];
    processors.push(await startProcessor(env));
    processes.push(...processors);
    const gateway = await startGateway(env);
    processes.push(gateway);

    const table = env.LOGPERF_STORE_TABLE;
    const watch = new StoreWatch(db, table).start();
    const driver = new LoadDriver({
      gatewayUrl: gateway.url,
      ratePerSecond: RATE,
      durationMs: DURATION_MS,
      batchSize: 100,
      source: 'fault-pg',
    });
    const running = driver.run();
    await sleep(STOP_AT_MS);
    await postgres.stop();
    const stoppedAt = Date.now();
    const acknowledgedAtStop = driver.acknowledged.length;
    await sleep(DOWN_MS);
    await postgres.start();
    const backAt = Date.now();
    const acknowledgedAtBack = driver.acknowledged.length;
    const load = await running;
    const stored = await checkStored(db, table, load.acknowledged);
    watch.stop();
    const counters = await sumCounters(processors.map((p) => p.url));
    const storedAtStop = watch.samples.filter((s) => s.atMs < stoppedAt && s.rows !== null).at(-1)?.rows ?? 0;

    const figures = {
      ...deliveryFigures(load, stored, counters),
      postgresDownMs: backAt - stoppedAt,
      acknowledgedDuringOutage: acknowledgedAtBack - acknowledgedAtStop,
      storedBeforeStop: storedAtStop,
      backlogStoredAfterRestartMs: watch.reachedAfter(backAt, acknowledgedAtBack),
      answers: load.answers,
      gateway503Reasons: loggedReasons(gateway.output(), /answering 503/),
    };
    report('postgres restart', figures);

    expect(load.failed).toEqual([]);
    expect(load.missingRetryAfter).toBe(0);
    // The gateway does not need the store: it kept acknowledging while PostgreSQL was down.
    expect(figures.acknowledgedDuringOutage).toBeGreaterThan(RATE * 2);
    expect({ rows: stored.rows, distinct: stored.distinct, found: stored.acknowledgedFound }).toEqual({
      rows: load.sent,
      distinct: load.sent,
      found: load.sent,
    });
    expect(figures.backlogStoredAfterRestartMs).not.toBeNull();
  }, 180_000);
});
