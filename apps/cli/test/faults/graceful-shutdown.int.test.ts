// Graceful shutdown: SIGTERM to a processor during a load test drains its batch and commits it (measured: duplicates
// delivered to the next owner vs stored); stopping a running load test, by its stop endpoint or by SIGTERM to the load
// generator, ends it cleanly with its partial result saved.
import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import {
  describeReal,
  kafkaProbe,
  postgresProbe,
  realServices,
  redisProbe,
} from '../../../../packages/cluster/test/real-services.js';
import { startCli, type CliProcess } from '../cli-process.js';
import { sleep } from '@logperf/core';
import {
  checkStored,
  cleanUp,
  deliveryFigures,
  faultEnv,
  portOf,
  report,
  startGateway,
  startProcessor,
  sumCounters,
} from './fault-harness.js';
import { LoadDriver } from './load-driver.js';

const RATE = 1500;

interface StoredResult {
  status: string;
  finishedAt: number | null;
  result:
    | {
        sent: number;
        acknowledged: number;
        intended: number;
        dropped: number;
        errors: Record<string, number>;
        durationSeconds: number;
        scheduledSeconds: number;
        timeline: unknown[];
      }
    | { progress: null };
}

describeReal('graceful shutdown during a load test', [kafkaProbe, postgresProbe, redisProbe], () => {
  const env = faultEnv('sigterm');
  const db = new pg.Pool({ connectionString: realServices.databaseUrl, max: 2 });
  const processes: CliProcess[] = [];
  let gatewayUrl = '';
  afterAll(() => cleanUp(processes, db, env.LOGPERF_STORE_TABLE), 60_000);

  it('SIGTERM to a processor drains and commits: exit 0, nothing lost, no redelivery of what it stored', async () => {
    const stays = await startProcessor(env);
    processes.push(stays);
    const leaves = await startProcessor(env);
    processes.push(leaves);
    const gateway = await startGateway(env);
    processes.push(gateway);
    gatewayUrl = gateway.url;
    await sleep(2000);

    const driver = new LoadDriver({
      gatewayUrl: gateway.url,
      ratePerSecond: RATE,
      durationMs: 16_000,
      batchSize: 100,
      source: 'fault-sigterm',
    });
    const running = driver.run();
    await sleep(5000);
    const termAt = Date.now();
    const exitCode = await leaves.stop('SIGTERM');
    const shutdownMs = Date.now() - termAt;
    await sleep(3000);
    const back = await startProcessor(env, portOf(leaves));
    processes.push(back);
    const load = await running;
    const stored = await checkStored(db, env.LOGPERF_STORE_TABLE, load.acknowledged);
    const counters = await sumCounters([stays.url, back.url]);
    const figures = {
      ...deliveryFigures(load, stored, counters),
      exitCode,
      shutdownMs,
      output: leaves
        .output()
        .split('\n')
        .filter((l) => /shutting down|error/i.test(l))
        .slice(0, 3),
    };
    report('processor SIGTERM', figures);

    expect(exitCode).toBe(0);
    expect(shutdownMs).toBeLessThan(10_000);
    expect(load.failed).toEqual([]);
    expect({ rows: stored.rows, distinct: stored.distinct, found: stored.acknowledgedFound }).toEqual({
      rows: load.sent,
      distinct: load.sent,
      found: load.sent,
    });
    // What the leaving member stored it also committed: the next owner of its partitions finds nothing of it to redo.
    // Measured 0; at most the one batch in flight when the restarted member takes partitions back may come twice.
    expect(counters.redelivered).toBeLessThanOrEqual(1000);
  }, 120_000);

  it('a load test stopped by its endpoint, or by SIGTERM to the load generator, ends with its partial result saved', async () => {
    const loadgenEnv = { ...env, LOGPERF_LOADGEN_ALLOWED_TARGETS: gatewayUrl };
    let loadgen = await startCli(['loadgen', '--real', '--port', '0'], loadgenEnv);
    processes.push(loadgen);
    const burst = {
      target: `${gatewayUrl}/api/logs`,
      baselineRatePerSecond: 500,
      burstRatePerSecond: 1000,
      baselineDuration: 'PT5S',
      burstDuration: 'PT5S',
      recoveryDuration: 'PT5S',
      batchSize: 50,
    };
    const start = async (testName: string) => {
      const res = await fetch(`${loadgen.url}/api/loadtest/burst`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ testName, ...burst }),
      });
      expect(res.status).toBe(202);
      return ((await res.json()) as { testId: string }).testId;
    };

    // 1. The stop endpoint.
    const stoppedId = await start('fault-stop-endpoint');
    await sleep(4000);
    const stopRes = await fetch(`${loadgen.url}/api/loadtest/${stoppedId}/stop`, { method: 'POST' });
    const stopped = (await stopRes.json()) as StoredResult;
    const persisted = (await (await fetch(`${loadgen.url}/api/results/${stoppedId}`)).json()) as StoredResult;

    // 2. SIGTERM to the load generator mid-test, then a new load generator reads the saved result.
    const termId = await start('fault-loadgen-sigterm');
    await sleep(3000);
    const loadgenExit = await loadgen.stop('SIGTERM');
    loadgen = await startCli(['loadgen', '--real', '--port', '0'], loadgenEnv);
    processes.push(loadgen);
    const afterTerm = (await (await fetch(`${loadgen.url}/api/results/${termId}`)).json()) as StoredResult;

    const countSource = async () =>
      Number(
        (
          await db.query<{ n: string }>(
            `SELECT count(*) AS n FROM ${env.LOGPERF_STORE_TABLE} WHERE source LIKE 'service-%'`,
          )
        ).rows[0]?.n,
      );
    const results = [stopped, afterTerm].map((r) => r.result as Extract<StoredResult['result'], { sent: number }>);
    const acknowledged = results.reduce((sum, r) => sum + r.acknowledged, 0);
    const sent = results.reduce((sum, r) => sum + r.sent, 0);
    let storedFromLoadgen = await countSource();
    for (let i = 0; i < 60 && storedFromLoadgen < acknowledged; i++) {
      await sleep(500);
      storedFromLoadgen = await countSource();
    }
    const {
      rows: [dupes],
    } = await db.query<{ n: string; d: string }>(
      `SELECT count(*) AS n, count(DISTINCT id) AS d FROM ${env.LOGPERF_STORE_TABLE}`,
    );
    const figures = {
      stopEndpoint: {
        http: stopRes.status,
        status: stopped.status,
        persisted: persisted.status,
        sent: results[0]!.sent,
        acknowledged: results[0]!.acknowledged,
        durationSeconds: results[0]!.durationSeconds,
        scheduledSeconds: results[0]!.scheduledSeconds,
      },
      loadgenSigterm: {
        exit: loadgenExit,
        status: afterTerm.status,
        sent: results[1]!.sent,
        acknowledged: results[1]!.acknowledged,
        durationSeconds: results[1]!.durationSeconds,
      },
      storedFromLoadgen,
      duplicatesStored: Number(dupes?.n) - Number(dupes?.d),
    };
    report('load test stop', figures);

    expect(stopRes.status).toBe(200);
    for (const r of [stopped, persisted, afterTerm]) {
      expect(r.status).toBe('stopped');
      expect(r.finishedAt).not.toBeNull();
    }
    expect(loadgenExit).toBe(0);
    for (const r of results) {
      expect(r.sent).toBeGreaterThan(0);
      expect(r.durationSeconds).toBeLessThan(r.scheduledSeconds);
      expect(r.timeline.length).toBeGreaterThan(0);
    }
    expect(storedFromLoadgen).toBeGreaterThanOrEqual(acknowledged);
    expect(storedFromLoadgen).toBeLessThanOrEqual(sent);
    expect(figures.duplicatesStored).toBe(0);
  }, 120_000);
});
