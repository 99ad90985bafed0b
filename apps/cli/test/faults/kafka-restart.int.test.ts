// Fault: the Kafka broker (a private KRaft broker) is stopped during a load test and started again. While it is down the
// gateway answers 503 with Retry-After (never a silent drop); afterwards the processors' consumers recover by themselves.
import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import {
  describeReal,
  postgresProbe,
  realServices,
  redisProbe,
} from '../../../../packages/cluster/test/real-services.js';
import { createKafkaBus } from '../../../../packages/cluster/src/backends/bus/kafka-bus.js';
import type { Bus, Consumer } from '../../../../packages/cluster/src/backends/bus/bus.js';
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
import { accepts, startPrivateKafka, type PrivateServer } from './private-services.js';

const RATE = 1000;
const DURATION_MS = 30_000;
const STOP_AT_MS = 5_000;
const DOWN_MS = 3_000;

describeReal('fault: the Kafka broker restarts during a load test', [postgresProbe, redisProbe], () => {
  const db = new pg.Pool({ connectionString: realServices.databaseUrl, max: 2 });
  const processes: CliProcess[] = [];
  let kafka: PrivateServer | undefined;
  let table: string | undefined;
  let observerBus: Bus | undefined;
  let observer: Consumer | undefined;
  afterAll(async () => {
    await observer?.close();
    await observerBus?.close();
    await cleanUp(processes, db, table);
    await kafka?.destroy();
  }, 90_000);

  it('answers 503 + Retry-After while the broker is away, and the consumers resume by themselves', async () => {
    kafka = await startPrivateKafka();
    const env = faultEnv('kafka', { LOGPERF_KAFKA_BROKERS: kafka.url });
    table = env.LOGPERF_STORE_TABLE;
    const processors = [await startProcessor(env)];
    processors.push(await startProcessor(env));
    processes.push(...processors);
    const gateway = await startGateway(env);
    processes.push(gateway);
    // A consumer in this process too (its own group), to see the member's recovery from the inside.
    const observed = new Set<string>();
    const memberEvents: string[] = [];
    observerBus = await createKafkaBus({
      brokers: [kafka.url],
      topic: env.LOGPERF_KAFKA_TOPIC,
      onConsumerEvent: (e) => {
        if (e.kind === 'lost' || e.kind === 'restored') memberEvents.push(e.kind);
      },
    });
    observer = await observerBus.consume(
      { groupId: `${env.LOGPERF_PROCESSOR_GROUP}-observer`, maxBatchSize: 1000, maxWaitMs: 20 },
      async (records) => {
        for (const r of records) observed.add(r.key);
      },
    );
    await sleep(2000);

    const watch = new StoreWatch(db, table).start();
    const driver = new LoadDriver({
      gatewayUrl: gateway.url,
      ratePerSecond: RATE,
      durationMs: DURATION_MS,
      batchSize: 100,
      source: 'fault-kafka',
      maxInFlight: 512,
      giveUpAfterMs: 90_000,
    });
    const startedAt = Date.now();
    const running = driver.run();
    await sleep(STOP_AT_MS);
    const stoppingAt = Date.now();
    await kafka.stop();
    const stoppedAt = Date.now();
    const acknowledgedAtStop = driver.acknowledged.length;
    // `kafka.sh up` returns some seconds after the broker listens; the outage ends when its port accepts connections again.
    let listeningAt: number | undefined;
    let acknowledgedAtBack = 0;
    const broker = kafka;
    const portWatch = (async () => {
      while (listeningAt === undefined) {
        if (await accepts(broker.port)) {
          listeningAt = Date.now();
          acknowledgedAtBack = driver.acknowledged.length;
        } else await sleep(100);
      }
    })();
    // Graceful shutdown with the broker away: a processor told to stop must still exit, within a bound.
    const termAt = Date.now();
    const termExit = await processors[1]!.stop('SIGTERM');
    const termMs = Date.now() - termAt;
    await sleep(Math.max(0, DOWN_MS - termMs));
    await kafka.start();
    const upReturnedAt = Date.now();
    await portWatch;
    const backAt = listeningAt!;
    const load = await running;
    const stored = await checkStored(db, table, load.acknowledged, 120_000);
    watch.stop();
    const counters = await sumCounters([processors[0]!.url]);
    // The processors' group must also have committed up to the log end (issue 13: stored yet stuck behind is a stall).
    let committedAtLogEndAfterMs: number | null = null;
    const lagDeadline = Date.now() + 30_000;
    while (committedAtLogEndAfterMs === null && Date.now() < lagDeadline) {
      const lag = await observerBus.lag(env.LOGPERF_PROCESSOR_GROUP).catch(() => null);
      if (lag && lag.every((p) => p.lag === 0)) committedAtLogEndAfterMs = Date.now() - backAt;
      else await sleep(500);
    }
    const observerDeadline = Date.now() + 60_000;
    while (load.acknowledged.some((id) => !observed.has(id)) && Date.now() < observerDeadline) await sleep(500);

    const second = (atMs: number) => Math.floor((atMs - startedAt) / 1000);
    const outage = load.timeline.filter((t) => t.second > second(stoppedAt) && t.second < second(backAt));
    const acknowledgedWhileDown = acknowledgedAtBack - acknowledgedAtStop;
    const firstAckAfter = load.timeline.find((t) => t.second >= second(backAt) && (t.answers['202'] ?? 0) > 0);
    const figures = {
      ...deliveryFigures(load, stored, counters),
      brokerStopMs: stoppedAt - stoppingAt,
      brokerDownMs: backAt - stoppedAt,
      processorSigtermWhileDown: { exit: termExit, ms: termMs },
      acknowledgedWhileDown,
      upScriptReturnedAfterListeningMs: upReturnedAt - backAt,
      answersWhileDown: outage.reduce<Record<string, number>>((sum, t) => {
        for (const [k, v] of Object.entries(t.answers)) sum[k] = (sum[k] ?? 0) + v;
        return sum;
      }, {}),
      missingRetryAfter: load.missingRetryAfter,
      gatewayAcksAgainAfterMs: firstAckAfter ? firstAckAfter.second * 1000 - (backAt - startedAt) : null,
      firstStoreAfterRestartMs: watch.grewAfter(backAt),
      committedAtLogEndAfterMs,
      observerSawAcknowledged: load.acknowledged.filter((id) => observed.has(id)).length,
      observerMemberEvents: memberEvents.join(','),
      answers: load.answers,
      gateway503Reasons: loggedReasons(gateway.output(), /answering 503/),
    };
    report('kafka restart', figures);

    expect(load.failed).toEqual([]);
    expect(termExit).toBe(0);
    expect(termMs).toBeLessThan(15_000);
    expect(load.missingRetryAfter).toBe(0);
    expect(figures.answersWhileDown['503'] ?? 0).toBeGreaterThan(0);
    expect(figures.answersWhileDown['202'] ?? 0).toBe(0);
    expect({ rows: stored.rows, distinct: stored.distinct, found: stored.acknowledgedFound }).toEqual({
      rows: load.sent,
      distinct: load.sent,
      found: load.sent,
    });
    // The consumers came back without help: events acknowledged after the restart were consumed and stored,
    // and the in-process member lost its client and built a new one.
    expect(figures.firstStoreAfterRestartMs).not.toBeNull();
    expect(figures.committedAtLogEndAfterMs).not.toBeNull();
    expect(figures.observerSawAcknowledged).toBe(load.acknowledged.length);
    expect(memberEvents).toContain('lost');
    expect(memberEvents.at(-1)).toBe('restored');
  }, 240_000);
});
