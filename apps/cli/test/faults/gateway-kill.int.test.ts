// Fault: SIGKILL the gateway during a load test, restart it on the same port. Every event it acknowledged is stored once;
// requests cut off are retried by the sender (same ids) or, for the load generator, reported as errors, never as acknowledged.
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
  faultEnv,
  loggedReasons,
  portOf,
  report,
  startGateway,
  startProcessor,
} from './fault-harness.js';
import { LoadDriver } from './load-driver.js';

const RATE = 1500;
const DURATION_MS = 15_000;
const KILL_AT_MS = 5_000;
const DOWN_MS = 3_000;

interface LoadgenResult {
  status: string;
  result: { sent: number; acknowledged: number; dropped: number; errors: Record<string, number> };
}

describeReal('fault: the gateway is SIGKILLed during a load test', [kafkaProbe, postgresProbe, redisProbe], () => {
  const env = faultEnv('gwkill');
  const db = new pg.Pool({ connectionString: realServices.databaseUrl, max: 2 });
  const processes: CliProcess[] = [];
  afterAll(() => cleanUp(processes, db, env.LOGPERF_STORE_TABLE), 60_000);

  it('keeps every acknowledged event, retries or reports the cut-off ones, and works again after a restart', async () => {
    processes.push(await startProcessor(env));
    const gateway = await startGateway(env);
    processes.push(gateway);
    const loadgen = await startCli(['loadgen', '--real', '--port', '0'], {
      ...env,
      LOGPERF_LOADGEN_ALLOWED_TARGETS: gateway.url,
    });
    processes.push(loadgen);

    // Two senders at once: the retrying driver (knows each acknowledged id) and the load generator (reports, never retries).
    const driver = new LoadDriver({
      gatewayUrl: gateway.url,
      ratePerSecond: RATE,
      durationMs: DURATION_MS,
      batchSize: 100,
      source: 'fault-gwkill',
    });
    const started = await fetch(`${loadgen.url}/api/loadtest/burst`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        testName: 'fault-gateway-kill',
        target: `${gateway.url}/api/logs`,
        baselineRatePerSecond: 300,
        burstRatePerSecond: 600,
        baselineDuration: 'PT5S',
        burstDuration: 'PT5S',
        recoveryDuration: 'PT5S',
        batchSize: 50,
      }),
    });
    expect(started.status).toBe(202);
    const { testId } = (await started.json()) as { testId: string };
    const running = driver.run();
    await sleep(KILL_AT_MS);
    const acknowledgedAtKill = driver.acknowledged.length;
    await gateway.stop('SIGKILL');
    const killedAt = Date.now();
    await sleep(DOWN_MS);
    const restarted = await startGateway(env, portOf(gateway));
    processes.push(restarted);
    const backAt = Date.now();
    const load = await running;

    let loadgenResult: LoadgenResult | undefined;
    for (let i = 0; i < 60 && loadgenResult?.status !== 'completed'; i++) {
      await sleep(500);
      loadgenResult = (await (await fetch(`${loadgen.url}/api/results/${testId}`)).json()) as LoadgenResult;
    }
    const stored = await checkStored(db, env.LOGPERF_STORE_TABLE, load.acknowledged);
    const countLoadgenRows = async () =>
      Number(
        (
          await db.query<{ n: string }>(
            `SELECT count(*) AS n FROM ${env.LOGPERF_STORE_TABLE} WHERE source LIKE 'service-%'`,
          )
        ).rows[0]?.n,
      );
    let loadgenStored = await countLoadgenRows();
    for (let i = 0; i < 60 && loadgenStored < (loadgenResult?.result.acknowledged ?? 0); i++) {
      await sleep(500);
      loadgenStored = await countLoadgenRows();
    }
    const firstAckAfterRestart = load.timeline.find(
      (s) => s.second * 1000 >= backAt - killedAt + KILL_AT_MS && (s.answers['202'] ?? 0) > 0,
    );
    const lg = loadgenResult!.result;
    const figures = {
      driver: {
        sent: load.sent,
        acknowledged: load.acknowledged.length,
        acknowledgedAtKill,
        failed: load.failed.length,
        answers: load.answers,
      },
      loadgen: {
        status: loadgenResult?.status,
        sent: lg.sent,
        acknowledged: lg.acknowledged,
        errors: lg.errors,
        dropped: lg.dropped,
        stored: loadgenStored,
      },
      ...stored,
      duplicatesStored: stored.rows - stored.distinct,
      downMs: backAt - killedAt,
      restartedGateway503Reasons: loggedReasons(restarted.output(), /answering 503/),
      firstAckAfterRestartSecond: firstAckAfterRestart?.second ?? null,
      timeline: load.timeline.map((t) => `${t.second}:${JSON.stringify(t.answers)}`).join(' '),
    };
    report('gateway SIGKILL', figures);

    expect(loadgenResult?.status).toBe('completed');
    expect(load.failed).toEqual([]);
    expect(load.answers.connection ?? 0).toBeGreaterThan(0); // the kill did cut requests off
    expect(stored.acknowledgedFound).toBe(load.acknowledged.length);
    expect(stored.rows).toBe(stored.distinct);
    // The load generator counted the cut-off requests as errors: what it calls acknowledged is stored, and only what it sent is.
    expect(Object.values(lg.errors).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(lg.acknowledged).toBeLessThan(lg.sent);
    expect(loadgenStored).toBeGreaterThanOrEqual(lg.acknowledged);
    expect(loadgenStored).toBeLessThanOrEqual(lg.sent);
    expect(stored.rows).toBe(load.acknowledged.length + loadgenStored);
  }, 180_000);
});
