// Fault: SIGKILL one of two processors during a load test, restart it later. The other member takes over its partitions;
// every acknowledged event is stored exactly once; the monitor reports the node down and the lag growing while it lasts.
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
  loggedReasons,
  report,
  startGateway,
  startProcessor,
  StoreWatch,
  sumCounters,
} from './fault-harness.js';
import { LoadDriver } from './load-driver.js';

const RATE = 1500;
const DURATION_MS = 20_000;
const KILL_AT_MS = 5_000;
const RESTART_AT_MS = 12_000;

interface MonitorView {
  nodes: { url: string; role: string; up: boolean }[];
  cluster: { queueDepth: number | null; lag: { status: string } | null };
}

describeReal('fault: a processor is SIGKILLed during a load test', [kafkaProbe, postgresProbe, redisProbe], () => {
  const env = faultEnv('pkill');
  const db = new pg.Pool({ connectionString: realServices.databaseUrl, max: 2 });
  const processes: CliProcess[] = [];
  afterAll(() => cleanUp(processes, db, env.LOGPERF_STORE_TABLE), 60_000);

  it('loses nothing, stores nothing twice, and the monitor shows the node down and the lag growing', async () => {
    const monitor = await startCli(['monitor', '--real', '--port', '0'], { ...env, LOGPERF_MONITOR_SCRAPE_MS: '500' });
    processes.push(monitor);
    const withMonitor = { ...env, LOGPERF_MONITOR_URL: monitor.url };
    const first = await startProcessor(withMonitor);
    processes.push(first);
    const victim = await startProcessor(withMonitor);
    processes.push(victim);
    const gateway = await startGateway(withMonitor);
    processes.push(gateway);
    await sleep(2000); // let both members join the group, so the kill hits a member that owns partitions

    const watch = new StoreWatch(db, env.LOGPERF_STORE_TABLE).start();
    const monitorSamples: {
      atMs: number;
      victimUp: boolean | undefined;
      lag: number | null;
      status: string | undefined;
    }[] = [];
    const monitorPoll = setInterval(() => {
      void fetch(`${monitor.url}/api/performance/metrics`, { signal: AbortSignal.timeout(2000) })
        .then(async (res) => (await res.json()) as MonitorView)
        .then((view) =>
          monitorSamples.push({
            atMs: Date.now(),
            victimUp: view.nodes.find((n) => n.url === victim.url)?.up,
            lag: view.cluster.queueDepth,
            status: view.cluster.lag?.status,
          }),
        )
        .catch(() => undefined);
    }, 500);

    const driver = new LoadDriver({
      gatewayUrl: gateway.url,
      ratePerSecond: RATE,
      durationMs: DURATION_MS,
      batchSize: 100,
      source: 'fault-pkill',
    });
    const startedAt = Date.now();
    const running = driver.run();
    await sleep(KILL_AT_MS);
    const killedAt = Date.now();
    const acknowledgedAtKill = driver.acknowledged.length;
    await victim.stop('SIGKILL');
    await sleep(RESTART_AT_MS - (Date.now() - startedAt));
    const restarted = await startProcessor(withMonitor);
    processes.push(restarted);
    const load = await running;
    const stored = await checkStored(db, env.LOGPERF_STORE_TABLE, load.acknowledged);
    watch.stop();
    clearInterval(monitorPoll);
    const counters = await sumCounters([first.url, restarted.url]);

    const before = monitorSamples.filter((s) => s.atMs < killedAt);
    const during = monitorSamples.filter((s) => s.atMs >= killedAt && s.atMs < killedAt + 10_000);
    const lagsBefore = before.map((s) => s.lag ?? 0).sort((a, b) => a - b);
    const lagBefore = lagsBefore[Math.floor(lagsBefore.length / 2)] ?? 0; // median: one sample may catch a batch in flight
    const lagDuring = Math.max(0, ...during.map((s) => s.lag ?? 0));
    const seenDownAfterMs = monitorSamples.find((s) => s.atMs >= killedAt && s.victimUp === false)?.atMs;
    const peak = monitorSamples.findIndex((s) => s.atMs >= killedAt && s.lag === lagDuring);
    const lagRecoveredAt = monitorSamples
      .slice(Math.max(0, peak))
      .find((s) => s.lag !== null && s.lag <= Math.max(lagBefore, 300))?.atMs;
    const figures = {
      ...deliveryFigures(load, stored, counters),
      answers: load.answers,
      gateway503Reasons: loggedReasons(gateway.output(), /answering 503/),
      monitorDownAfterMs: seenDownAfterMs === undefined ? null : seenDownAfterMs - killedAt,
      lagBeforeMedian: lagBefore,
      lagPeak: lagDuring,
      lagStatuses: [...new Set(during.map((s) => s.status))],
      lagRecoveredAfterMs: lagRecoveredAt === undefined ? null : lagRecoveredAt - killedAt,
      backlogAtKillStoredAfterMs: watch.reachedAfter(killedAt, acknowledgedAtKill),
    };
    report('processor SIGKILL', figures);

    expect(load.failed).toEqual([]);
    expect(load.acknowledged.length).toBe(load.sent);
    expect({ rows: stored.rows, distinct: stored.distinct, found: stored.acknowledgedFound }).toEqual({
      rows: load.sent,
      distinct: load.sent,
      found: load.sent,
    });
    expect(figures.monitorDownAfterMs).not.toBeNull();
    expect(figures.monitorDownAfterMs!).toBeLessThan(6000);
    expect(lagDuring).toBeGreaterThan(Math.max(1000, 2 * lagBefore));
    expect(figures.lagRecoveredAfterMs).not.toBeNull();
  }, 180_000);
});
