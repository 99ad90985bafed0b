// Fault: the processors' Redis (a private instance) dies during a load test and comes back empty. The cache is an
// accelerator: processors keep storing while it is gone (counting cacheErrors), and write to it again once it is back.
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import {
  describeReal,
  kafkaProbe,
  postgresProbe,
  realServices,
} from '../../../../packages/cluster/test/real-services.js';
import type { CliProcess } from '../cli-process.js';
import { sleep } from '@logperf/core';
import {
  checkStored,
  cleanUp,
  deliveryFigures,
  faultEnv,
  report,
  startGateway,
  startProcessor,
  StoreWatch,
  sumCounters,
} from './fault-harness.js';
import { LoadDriver } from './load-driver.js';
import { startPrivateRedis, type PrivateServer } from './private-services.js';

const RATE = 1500;
const DURATION_MS = 15_000;
const STOP_AT_MS = 4_000;
const DOWN_MS = 5_000;

describeReal('fault: Redis restarts during a load test', [kafkaProbe, postgresProbe], () => {
  const db = new pg.Pool({ connectionString: realServices.databaseUrl, max: 2 });
  const processes: CliProcess[] = [];
  let redis: PrivateServer | undefined;
  let table: string | undefined;
  afterAll(async () => {
    await cleanUp(processes, db, table);
    await redis?.destroy();
  }, 60_000);

  it('keeps storing while Redis is down and fills the cache again once it is back', async () => {
    redis = await startPrivateRedis();
    const env = faultEnv('redis', { LOGPERF_REDIS_URL: redis.url });
    table = env.LOGPERF_STORE_TABLE;
    const processor = await startProcessor(env);
    processes.push(processor);
    const gateway = await startGateway(env);
    processes.push(gateway);

    const watch = new StoreWatch(db, table).start();
    const driver = new LoadDriver({
      gatewayUrl: gateway.url,
      ratePerSecond: RATE,
      durationMs: DURATION_MS,
      batchSize: 100,
      source: 'fault-redis',
    });
    const running = driver.run();
    await sleep(STOP_AT_MS);
    await redis.stop();
    const stoppedAt = Date.now();
    const errorsBefore = (await sumCounters([processor.url])).cacheErrors;
    await sleep(DOWN_MS);
    const storedWhileDown =
      (watch.samples.filter((s) => s.atMs >= stoppedAt + 1000).at(-1)?.rows ?? 0) -
      (watch.samples.find((s) => s.atMs >= stoppedAt + 1000)?.rows ?? 0);
    await redis.start();
    const backAt = Date.now();
    const acknowledgedAtBack = driver.acknowledged.length;
    const load = await running;
    const stored = await checkStored(db, table, load.acknowledged);
    watch.stop();
    const counters = await sumCounters([processor.url]);

    // Events sent well after Redis came back must be marked in it again (ioredis reconnected by itself).
    const client = new Redis(redis.url);
    const late = load.acknowledged.slice(-500);
    const marked = await client.exists(...late.map((id) => `log:${id}`));
    const marksInRedis = await client.dbsize();
    client.disconnect();

    const figures = {
      ...deliveryFigures(load, stored),
      redisDownMs: backAt - stoppedAt,
      storedWhileRedisDown: storedWhileDown,
      cacheErrors: counters.cacheErrors - errorsBefore,
      lateEventsMarkedInRedis: `${marked}/${late.length}`,
      redisKeysAfter: marksInRedis,
      acknowledgedWhenBackStoredAfterMs: watch.reachedAfter(backAt, acknowledgedAtBack),
      longestStoreStallMs: watch.longestStallAfter(stoppedAt),
      answers: load.answers,
    };
    report('redis restart', figures);

    expect(load.failed).toEqual([]);
    expect(load.missingRetryAfter).toBe(0);
    expect({ rows: stored.rows, distinct: stored.distinct, found: stored.acknowledgedFound }).toEqual({
      rows: load.sent,
      distinct: load.sent,
      found: load.sent,
    });
    expect(storedWhileDown).toBeGreaterThan(RATE * 2); // ≥ 2 of the ~4 s measured: the store did not wait for the cache
    expect(figures.cacheErrors).toBeGreaterThan(0);
    expect(marked).toBe(late.length);
  }, 180_000);
});
