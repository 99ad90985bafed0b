// Regression verdicts on the embedded system: two identical runs come out unchanged; a 20% slower processor (an
// artificial delay before each store write) comes out regressed with p < 0.01, and `logperf analyze` exits 1.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createLogger, loadConfig } from '@logperf/core';
import { createBackends, type Store } from '@logperf/cluster';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, runLoadTest } from '../src/load-test-client.js';
import { startRoles, type StartedRoles } from '../src/roles.js';
import { CLI_MAIN } from './cli-process.js';

const run = promisify(execFile);
let started: StartedRoles;
let delayMs = 0;

/** The store with a switchable pause before every batch write: the processor's injected regression. */
function delayed(store: Store): Store {
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'insertBatch') {
        return async (events: Parameters<Store['insertBatch']>[0]) => {
          if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
          return target.insertBatch(events);
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

async function steadyRun(name: string): Promise<string> {
  const body = { testName: name, batchSize: 50, baselineRatePerSecond: 1000, burstRatePerSecond: 1000, baselineDuration: 'PT6S', burstDuration: 'PT6S', thresholds: {} };
  const result = await runLoadTest(started.urlOf('loadgen')!, 'burst', body, { onProgress: () => undefined });
  expect(result.result.acknowledged).toBe(18_000);
  return result.testId;
}

interface MetricVerdict { metric: string; verdict: string; pValue: number; relativeChange: number | null; baseline: number; candidate: number }
const compare = (baselineTestId: string, candidateTestId: string) =>
  request<{ verdict: string; metrics: MetricVerdict[] }>(`${started.urlOf('analyzer')}/api/analysis/compare`, { method: 'POST', body: JSON.stringify({ baselineTestId, candidateTestId }) });

beforeAll(async () => {
  const config = loadConfig({ LOGPERF_LOG_LEVEL: 'silent' }, {});
  const backends = await createBackends(config);
  started = await startRoles(['processor', 'gateway', 'loadgen', 'monitor', 'analyzer'], config, createLogger('analyze-test', 'silent'), {
    instances: 1,
    ports: { processor: 0, gateway: 0, loadgen: 0, monitor: 0, analyzer: 0 },
    backends: { ...backends, store: delayed(backends.store), close: () => backends.close() },
  });
}, 60_000);

afterAll(async () => {
  await started?.close();
});

describe('regression verdicts on the embedded system', () => {
  it('A/A is unchanged; a 20% slower processor is regressed with p < 0.01 and `logperf analyze --compare` exits 1', async () => {
    const a = await steadyRun('a');
    const b = await steadyRun('b');
    const aa = await compare(a, b);
    expect(aa.verdict, JSON.stringify(aa.metrics.filter((m) => m.verdict !== 'unchanged'))).toBe('unchanged');

    const baseline = aa.metrics.find((m) => m.metric === 'end-to-end latency p50')!;
    delayMs = Math.max(2, Math.round(0.2 * baseline.baseline));
    const slow = await steadyRun('slow');
    const verdict = await compare(a, slow);
    const e2e = verdict.metrics.find((m) => m.metric === 'end-to-end latency p50')!;
    console.log(`A/A: ${aa.verdict}; end-to-end p50 ${baseline.baseline.toFixed(1)} ms, +${delayMs} ms per write → ${e2e.candidate.toFixed(1)} ms (${((e2e.relativeChange ?? 0) * 100).toFixed(0)}%, p = ${e2e.pValue.toPrecision(2)})`);
    expect(verdict.verdict).toBe('regressed');
    expect(e2e.verdict).toBe('regressed');
    expect(e2e.pValue).toBeLessThan(0.01);

    const cli = await run(process.execPath, [CLI_MAIN, 'analyze', '--url', started.urlOf('analyzer')!, '--compare', a, slow]).then(
      () => ({ code: 0, stdout: '' }),
      (error: { code: number; stdout: string }) => error,
    );
    expect(cli.code).toBe(1);
    expect(cli.stdout).toMatch(/end-to-end latency p50 \(ms\).*REGRESSED/);
    const same = await run(process.execPath, [CLI_MAIN, 'analyze', '--url', started.urlOf('analyzer')!, '--compare', a, b]);
    expect(same.stdout).toMatch(/: UNCHANGED/);

    const analysis = await run(process.execPath, [CLI_MAIN, 'analyze', '--url', started.urlOf('analyzer')!, '--test', slow]);
    expect(analysis.stdout).toMatch(/slow \(.*\), burst, .* 1,000\/1,000 events\/s/);
    expect(analysis.stdout).toMatch(/end-to-end latency: p50 \d/);
  }, 120_000);
});
