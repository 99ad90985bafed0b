// Fault (issue 13): a processor's consumer stops fetching (test-only fault injection, LOGPERF_TEST_FREEZE_FETCH_AFTER_MS)
// while it keeps its partitions and its heartbeats. The member notices the lag without progress, says so once in its log,
// answers /health 503 `stalled` naming the partitions, re-creates its client and recovers by itself; the monitor names
// the stalled member in a verdict meanwhile.
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
import {
  checkStored,
  cleanUp,
  deliveryFigures,
  faultEnv,
  report,
  startGateway,
  startProcessor,
} from './fault-harness.js';
import { LoadDriver } from './load-driver.js';
import { sleep } from '@logperf/core';

const FREEZE_AFTER_MS = 2500;
const STALL_MS = 2000;

interface Health {
  atMs: number;
  code: number;
  status: string;
  node: string;
  stalledPartitions?: number[];
}

describeReal('fault: a member stops fetching but keeps its partitions', [kafkaProbe, postgresProbe, redisProbe], () => {
  const env = faultEnv('stall', { LOGPERF_PROCESSOR_STALL_MS: String(STALL_MS) });
  const db = new pg.Pool({ connectionString: realServices.databaseUrl, max: 2 });
  const processes: CliProcess[] = [];
  afterAll(() => cleanUp(processes, db, env.LOGPERF_STORE_TABLE), 60_000);

  it('answers 503 stalled, logs it once, re-creates its consumer and stores every event once', async () => {
    const monitor = await startCli(['monitor', '--real', '--port', '0'], { ...env, LOGPERF_MONITOR_SCRAPE_MS: '250' });
    processes.push(monitor);
    const processor = await startProcessor({
      ...env,
      LOGPERF_MONITOR_URL: monitor.url,
      LOGPERF_TEST_FREEZE_FETCH_AFTER_MS: String(FREEZE_AFTER_MS),
    });
    processes.push(processor);
    const verdicts: { rule: string; affectedNodes: string[]; evidence: string }[] = [];
    const gateway = await startGateway(env);
    processes.push(gateway);
    const health: Health[] = [];
    const poll = setInterval(() => {
      const atMs = Date.now();
      void fetch(`${processor.url}/health`, { signal: AbortSignal.timeout(1000) })
        .then(async (res) =>
          health.push({ atMs, code: res.status, ...((await res.json()) as Omit<Health, 'atMs' | 'code'>) }),
        )
        .catch(() => undefined);
      void fetch(`${monitor.url}/api/performance/bottlenecks?windowSeconds=10`, { signal: AbortSignal.timeout(1000) })
        .then(async (res) => verdicts.push(...((await res.json()) as { bottlenecks: typeof verdicts }).bottlenecks))
        .catch(() => undefined);
    }, 200);
    const load = await new LoadDriver({
      gatewayUrl: gateway.url,
      ratePerSecond: 2000,
      durationMs: 8000,
      batchSize: 100,
      source: 'fault-stall',
    }).run();
    const stored = await checkStored(db, env.LOGPERF_STORE_TABLE, load.acknowledged, 30_000);
    await sleep(1000);
    clearInterval(poll);
    const stats = (await (await fetch(`${processor.url}/api/node/stats`)).json()) as {
      processor: { members: { stalls: number; recreations: number; stalledPartitions: number[] }[] };
    };
    const member = stats.processor.members[0]!;
    const stalledAt = health.find((h) => h.status === 'stalled');
    const upAgain = health.find((h) => stalledAt && h.atMs > stalledAt.atMs && h.status === 'up');
    const stallLines = processor
      .output()
      .split('\n')
      .filter((l) => l.includes('kafka consumer stalled')).length;
    report('member stall', {
      ...deliveryFigures(load, stored),
      firstStalled: stalledAt ?? null,
      stalledForMs: stalledAt && upAgain ? upAgain.atMs - stalledAt.atMs : null,
      member,
      stallLines,
      monitorVerdict: verdicts.find((v) => v.rule === 'member-stalled') ?? null,
    });

    expect(load.failed).toEqual([]);
    expect({ rows: stored.rows, distinct: stored.distinct, found: stored.acknowledgedFound }).toEqual({
      rows: load.acknowledged.length,
      distinct: load.acknowledged.length,
      found: load.acknowledged.length,
    });
    expect(stalledAt?.code).toBe(503);
    expect(stalledAt?.stalledPartitions?.length).toBeGreaterThan(0);
    expect(upAgain?.code).toBe(200);
    expect(health.at(-1)).toMatchObject({ code: 200, status: 'up' });
    expect(member.stalls).toBeGreaterThanOrEqual(1);
    expect(member.recreations).toBeGreaterThanOrEqual(1);
    expect(member.stalledPartitions).toEqual([]);
    expect(stallLines).toBe(member.stalls);
    expect(verdicts.find((v) => v.rule === 'member-stalled')?.affectedNodes).toEqual([stalledAt?.node]);
  }, 90_000);
});
