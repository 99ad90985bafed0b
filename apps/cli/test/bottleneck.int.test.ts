// A ramp against the real cluster (Kafka, PostgreSQL, Redis) with one bottleneck induced at a time; the analyzer must
// name it first: a CPU-bound processor (its own process), then a store whose writes turn slow mid-ramp.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createLogger, loadConfig, type Config, sleep } from '@logperf/core';
import { createBackends, type Store } from '@logperf/cluster';
import { afterEach, expect, it } from 'vitest';
import {
  describeReal,
  kafkaProbe,
  postgresProbe,
  realServices,
  redisProbe,
} from '../../../packages/cluster/test/real-services.js';
import { request, runLoadTest } from '../src/load-test-client.js';
import { startRoles, type StartedRoles } from '../src/roles.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/cpu-bound-processor.ts', import.meta.url));
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

/** A fresh topic, group and table per test, on the real services. */
function realEnv(): Record<string, string> {
  const suffix = randomUUID().slice(0, 8);
  return {
    LOGPERF_BUS: 'kafka',
    LOGPERF_STORE: 'postgres',
    LOGPERF_CACHE: 'redis',
    LOGPERF_LOG_LEVEL: 'silent',
    LOGPERF_KAFKA_BROKERS: realServices.kafkaBroker,
    LOGPERF_DATABASE_URL: realServices.databaseUrl,
    LOGPERF_REDIS_URL: realServices.redisUrl,
    LOGPERF_KAFKA_TOPIC: `bottleneck-${suffix}`,
    LOGPERF_KAFKA_PARTITIONS: '4',
    LOGPERF_PROCESSOR_GROUP: `bottleneck-${suffix}`,
    LOGPERF_STORE_TABLE: `bottleneck_${suffix}`,
  };
}

async function ramp(started: StartedRoles, name: string, fromRate: number, toRate: number, seconds: number) {
  const body = {
    testName: name,
    batchSize: 50,
    startRatePerSecond: fromRate,
    targetRatePerSecond: toRate,
    rampDuration: `PT${seconds}S`,
    holdDuration: 'PT5S',
    thresholds: {},
  };
  return runLoadTest(started.urlOf('loadgen')!, 'ramp', body, { onProgress: () => undefined });
}

interface Finding {
  rule: string;
  component: string;
  confidence: number;
  firstSecond: number | null;
  evidence: string;
}
const findingsOf = async (started: StartedRoles, testId: string) =>
  request<{ summary: string; findings: Finding[] }>(
    `${started.urlOf('analyzer')}/api/analysis/bottlenecks?testId=${testId}`,
  );

async function startSystem(
  config: Config,
  roles: Parameters<typeof startRoles>[0],
  store?: (s: Store) => Store,
): Promise<StartedRoles> {
  const backends = await createBackends(config);
  const started = await startRoles(roles, config, createLogger('bottleneck-test', 'silent'), {
    instances: 1,
    ports: { processor: 0, gateway: 0, loadgen: 0, monitor: 0, analyzer: 0 },
    backends: store ? { ...backends, store: store(backends.store), close: () => backends.close() } : backends,
  });
  cleanups.push(() => started.close());
  return started;
}

function startProcessorProcess(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  cleanups.push(async () => {
    child.kill('SIGTERM');
    await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(undefined)));
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`processor did not start: ${out}`)), 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const url = /processor (http:\/\/\S+)/.exec(out)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve({ child, url });
      }
    });
  });
}

describeReal(
  'the analyzer names an induced bottleneck first (real Kafka, PostgreSQL, Redis)',
  [kafkaProbe, postgresProbe, redisProbe],
  () => {
    it('a CPU-bound processor: the processor (CPU or event-loop delay)', async () => {
      const env = realEnv();
      const config = loadConfig(env, {});
      // The gateway's process creates the topic; the processor (its own process) then joins the group.
      const started = await startSystem(config, ['gateway', 'loadgen', 'monitor', 'analyzer']);
      await startProcessorProcess({
        ...env,
        LOGPERF_MONITOR_URL: started.urlOf('monitor')!,
        BURN_MICROS_PER_EVENT: '500',
      });
      const result = await ramp(started, 'cpu-bound', 300, 2400, 25);
      const diagnosis = await findingsOf(started, result.testId);
      console.log(
        `cpu-bound: ${diagnosis.summary}\n${diagnosis.findings.map((f) => `  ${f.confidence} ${f.rule}/${f.component} +${f.firstSecond}s ${f.evidence}`).join('\n')}`,
      );
      // A CPU-bound Node process shows as CPU and as event-loop delay on the same node: either names the processor's CPU.
      expect(diagnosis.findings[0]).toMatchObject({ component: 'processor' });
      expect(['cpu', 'event-loop']).toContain(diagnosis.findings[0]!.rule);
    }, 120_000);

    it('a store whose writes turn slow mid-ramp: the store', async () => {
      const config = loadConfig(realEnv(), {});
      let slowFrom = Infinity;
      const slowStore = (store: Store) =>
        new Proxy(store, {
          get(target, property, receiver) {
            if (property === 'insertBatch') {
              return async (events: Parameters<Store['insertBatch']>[0]) => {
                if (Date.now() >= slowFrom) await sleep(150);
                return target.insertBatch(events);
              };
            }
            const value: unknown = Reflect.get(target, property, receiver);
            return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
          },
        });
      const started = await startSystem(config, ['processor', 'gateway', 'loadgen', 'monitor', 'analyzer'], slowStore);
      slowFrom = Date.now() + 12_000;
      const result = await ramp(started, 'slow-store', 300, 1500, 25);
      const diagnosis = await findingsOf(started, result.testId);
      console.log(
        `slow store: ${diagnosis.summary}\n${diagnosis.findings.map((f) => `  ${f.confidence} ${f.rule}/${f.component} +${f.firstSecond}s ${f.evidence}`).join('\n')}`,
      );
      expect(diagnosis.findings[0]).toMatchObject({ rule: 'store', component: 'store' });
    }, 120_000);
  },
);
