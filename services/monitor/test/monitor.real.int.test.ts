// The monitor on Kafka + PostgreSQL + Redis: lag from the Kafka admin API, PostgreSQL and Redis statistics, a stopped group named.
import { randomUUID } from 'node:crypto';
import { createLogger, loadConfig, sleep } from '@logperf/core';
import { createBackends, startGateway, startProcessor, type Backends } from '@logperf/cluster';
import { type RunningRole } from '@logperf/platform';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  describeReal,
  kafkaProbe,
  postgresProbe,
  realServices,
  redisProbe,
} from '../../../packages/cluster/test/real-services.js';
import { startMonitor } from '../src/start-monitor.js';

const logger = createLogger('monitor-real-test', 'silent');

describeReal('monitor on the real services', [kafkaProbe, postgresProbe, redisProbe], () => {
  const suffix = `${Date.now()}_${process.pid}`;
  const config = loadConfig(
    {
      LOGPERF_KAFKA_TOPIC: `monitor-it-${suffix}`,
      LOGPERF_PROCESSOR_GROUP: `monitor-it-${suffix}`,
      LOGPERF_STORE_TABLE: `log_events_monitor_${suffix}`,
    },
    {
      bus: 'kafka',
      store: 'postgres',
      cache: 'redis',
      'kafka-brokers': realServices.kafkaBroker,
      'database-url': realServices.databaseUrl,
      'redis-url': realServices.redisUrl,
    },
  );
  let backends: Backends;
  let processor: RunningRole;
  let gateway: RunningRole;
  let monitor: Awaited<ReturnType<typeof startMonitor>>;
  type Metrics = {
    cluster: {
      queueDepth: number | null;
      postgres: { available: boolean; table?: { liveRows: number } | null; commitsPerSecond?: number | null };
      redis: { available: boolean; usedMemoryBytes?: number };
    };
  };
  const metrics = async () => (await (await fetch(`${monitor.url}/api/performance/metrics`)).json()) as Metrics;
  const send = async (n: number) => {
    const body = Array.from({ length: n }, (_, i) =>
      JSON.stringify({
        id: randomUUID(),
        level: 'WARN',
        message: `m${i}`,
        source: 'monitor-real',
        timestamp: Date.now(),
      }),
    ).join('\n');
    expect(
      (
        await fetch(`${gateway.url}/api/logs`, {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/x-ndjson' },
        })
      ).status,
    ).toBe(202);
  };
  const waitFor = async (what: string, check: () => Promise<boolean>, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(200);
    }
  };

  beforeAll(async () => {
    backends = await createBackends(config);
    processor = await startProcessor({ config, backends, logger, port: 0 });
    gateway = await startGateway({ config, backends, logger, port: 0 });
    monitor = await startMonitor({
      config,
      logger,
      port: 0,
      nodeUrls: [gateway.url, processor.url],
      dashboardHtml: async () => '',
      scrapeIntervalMs: 500,
    });
  }, 60_000);

  afterAll(async () => {
    await monitor?.close();
    await gateway?.close();
    await processor?.close().catch(() => undefined);
    await backends?.close();
    const db = new pg.Client({ connectionString: realServices.databaseUrl });
    await db.connect();
    await db.query(`DROP TABLE IF EXISTS ${config.storeTable}`);
    await db.end();
  });

  it('reads PostgreSQL and Redis statistics while the pipeline stores events', async () => {
    await send(500);
    await waitFor(
      'rows in pg_stat_user_tables',
      async () => ((await metrics()).cluster.postgres.table?.liveRows ?? 0) >= 500,
    );
    const { cluster } = await metrics();
    expect(cluster.postgres.available).toBe(true);
    expect(cluster.postgres.commitsPerSecond).not.toBeNull();
    expect(cluster.redis.available).toBe(true);
    expect(cluster.redis.usedMemoryBytes).toBeGreaterThan(0);
    expect(cluster.queueDepth).toBe(0);
  }, 60_000);

  it('sees lag build on Kafka when the consumer group stops, and names the queue bottleneck', async () => {
    await processor.close();
    await send(600);
    await send(600);
    await waitFor('queue depth 1200 from Kafka', async () => (await metrics()).cluster.queueDepth === 1200);
    const { bottlenecks } = (await (await fetch(`${monitor.url}/api/performance/bottlenecks`)).json()) as {
      bottlenecks: { rule: string; value: number }[];
    };
    expect(bottlenecks.find((b) => b.rule === 'queue')?.value).toBe(1200);
  }, 60_000);
});
