// Regression verdicts on the embedded system: two identical runs come out unchanged; a processor made 20% slower (an
// artificial delay before each store write, raising end-to-end p50 by at least 20%) comes out regressed with p < 0.01,
// and `logperf analyze` exits 1.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createLogger, loadConfig, sleep } from '@logperf/core';
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
          if (delayMs > 0) await sleep(delayMs);
          return target.insertBatch(events);
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

async function steadyRun(name: string): Promise<string> {
  const body = {
    testName: name,
    batchSize: 50,
    baselineRatePerSecond: 1000,
    burstRatePerSecond: 1000,
    baselineDuration: 'PT6S',
    burstDuration: 'PT6S',
    thresholds: {},
  };
  const result = await runLoadTest(started.urlOf('loadgen')!, 'burst', body, { onProgress: () => undefined });
  expect(result.result.acknowledged).toBe(18_000);
  return result.testId;
}

interface MetricVerdict {
  metric: string;
  verdict: string;
  pValue: number;
  relativeChange: number | null;
  baseline: number;
  candidate: number;
}
const compare = (baselineTestId: string, candidateTestId: string) =>
  request<{ verdict: string; metrics: MetricVerdict[] }>(`${started.urlOf('analyzer')}/api/analysis/compare`, {
    method: 'POST',
    body: JSON.stringify({ baselineTestId, candidateTestId }),
  });

beforeAll(async () => {
  const config = loadConfig({ LOGPERF_LOG_LEVEL: 'silent', LOGPERF_PGLITE_DIR: 'memory://' }, {});
  const backends = await createBackends(config);
  started = await startRoles(
    ['processor', 'gateway', 'loadgen', 'monitor', 'analyzer'],
    config,
    createLogger('analyze-test', 'silent'),
    {
      instances: 1,
      ports: { processor: 0, gateway: 0, loadgen: 0, monitor: 0, analyzer: 0 },
      backends: { ...backends, store: delayed(backends.store), close: () => backends.close() },
    },
  );
}, 60_000);

afterAll(async () => {
  await started?.close();
});

describe('regression verdicts on the embedded system', () => {
  it('A/A is unchanged; a 20% slower processor is regressed with p < 0.01 and `logperf analyze --compare` exits 1', async () => {
    // A first run after start-up carries the JIT's and the pools' warm-up (a 18 % lower p50 in the second run, p < 0.001,
    // in CI): it is run and not compared, so that A and B are measured alike.
    await steadyRun('warm-up');
    const a = await steadyRun('a');
    const b = await steadyRun('b');
    const aa = await compare(a, b);
    expect(aa.verdict, JSON.stringify(aa.metrics.filter((m) => m.verdict !== 'unchanged'))).toBe('unchanged');

    // The injected delay: a pause before each store write, sized to make end-to-end p50 at least 20 % slower. The
    // pipeline absorbs part of it (while a write waits, the next batch fills instead of waiting up to 5 ms), so a pause
    // of 20 % of p50 can move p50 by less (CI: +2 ms on 12.0 ms → 12.0 ms); it grows until the regression is 20 %.
    const baseline = aa.metrics.find((m) => m.metric === 'end-to-end latency p50')!;
    const step = Math.max(2, Math.round(0.2 * baseline.baseline));
    let slow = '';
    let verdict: Awaited<ReturnType<typeof compare>> | undefined;
    let e2e: MetricVerdict | undefined;
    const percent = (m: MetricVerdict | undefined) => Math.round((m?.relativeChange ?? 0) * 100);
    for (let k = 1; k <= 3 && percent(e2e) < 20; k++) {
      delayMs = k * step;
      slow = await steadyRun(`slow-${delayMs}ms`);
      verdict = await compare(a, slow);
      e2e = verdict.metrics.find((m) => m.metric === 'end-to-end latency p50')!;
      console.log(
        `A/A: ${aa.verdict}; end-to-end p50 ${baseline.baseline.toFixed(1)} ms, +${delayMs} ms per write → ${e2e.candidate.toFixed(1)} ms (${percent(e2e)}%, p = ${e2e.pValue.toPrecision(2)})`,
      );
    }
    if (!verdict || !e2e) throw new Error('no slow run');
    expect(percent(e2e)).toBeGreaterThanOrEqual(20);
    expect(verdict.verdict).toBe('regressed');
    expect(e2e.verdict).toBe('regressed');
    expect(e2e.pValue).toBeLessThan(0.01);

    const cli = await run(process.execPath, [
      CLI_MAIN,
      'analyze',
      '--url',
      started.urlOf('analyzer')!,
      '--compare',
      a,
      slow,
    ]).then(
      () => ({ code: 0, stdout: '' }),
      (error: { code: number; stdout: string }) => error,
    );
    expect(cli.code).toBe(1);
    expect(cli.stdout).toMatch(/end-to-end latency p50 \(ms\).*REGRESSED/);
    const same = await run(process.execPath, [
      CLI_MAIN,
      'analyze',
      '--url',
      started.urlOf('analyzer')!,
      '--compare',
      a,
      b,
    ]);
    expect(same.stdout).toMatch(/: UNCHANGED/);

    const analysis = await run(process.execPath, [
      CLI_MAIN,
      'analyze',
      '--url',
      started.urlOf('analyzer')!,
      '--test',
      slow,
    ]);
    expect(analysis.stdout).toMatch(/slow-\d+ms \(.*\), burst, .* 1,000\/1,000 events\/s/);
    expect(analysis.stdout).toMatch(/end-to-end latency: p50 \d/);
  }, 180_000);
});
