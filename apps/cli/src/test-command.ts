// `logperf burst` / `logperf ramp`: builds the request from flags, drives a generator (remote or in-process), prints the outcome.
import { AppError } from '@logperf/core';
import { runLoadTest, type LoadTestResult } from './load-test-client.js';
import { progressLine, summary } from './report.js';
import { watchResources } from './resource-watch.js';
import { successCriteria, type Criterion } from './success-criteria.js';

type Values = Record<string, string | boolean | undefined>;

const number = (values: Values, flag: string, fallback: number): number => {
  const raw = values[flag];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new AppError('VALIDATION_FAILED', `--${flag} must be a number, got '${String(raw)}'`);
  return n;
};
const text = (values: Values, flag: string, fallback: string): string => {
  const value = values[flag];
  return typeof value === 'string' ? value : fallback;
};
const THRESHOLD_FLAGS = { p95: 'p95Ms', p99: 'p99Ms', 'error-rate': 'errorRate' } as const;

export function testRequest(kind: 'burst' | 'ramp', values: Values): Record<string, unknown> {
  const thresholds: Record<string, number> = {};
  for (const [flag, key] of Object.entries(THRESHOLD_FLAGS))
    if (values[flag] !== undefined) thresholds[key] = number(values, flag, 0);
  const common = {
    testName: text(values, 'name', `cli-${kind}-${new Date().toISOString()}`),
    batchSize: number(values, 'batch-size', 100),
    thresholds,
    ...(typeof values.target === 'string' ? { target: values.target } : {}),
  };
  if (kind === 'burst') {
    return {
      ...common,
      baselineRatePerSecond: number(values, 'baseline-rate', 5000),
      burstRatePerSecond: number(values, 'burst-rate', 20_000),
      baselineDuration: text(values, 'baseline', 'PT2M'),
      burstDuration: text(values, 'burst', 'PT1M'),
      ...(typeof values.recovery === 'string' ? { recoveryDuration: values.recovery } : {}),
    };
  }
  return {
    ...common,
    startRatePerSecond: number(values, 'start-rate', 1000),
    targetRatePerSecond: number(values, 'target-rate', 15_000),
    rampDuration: text(values, 'ramp', 'PT10M'),
    holdDuration: text(values, 'hold', 'PT1M'),
  };
}

/**
 * Runs the test, prints progress and the summary with the seed's success criteria (resources from `monitorUrl`);
 * `code` is 0 when every threshold passed, 1 otherwise (as k6).
 */
export async function runTestCommand(
  kind: 'burst' | 'ramp',
  values: Values,
  urls: { loadgen: string; monitor: string | undefined },
  token: string | undefined,
): Promise<{ code: number; test: LoadTestResult; criteria: Criterion[] }> {
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  const tty = process.stderr.isTTY;
  let lastPrinted = 0;
  const resources = watchResources(urls.monitor);
  let test: LoadTestResult;
  let measured: ReturnType<typeof resources.stop>;
  try {
    test = await runLoadTest(urls.loadgen, kind, testRequest(kind, values), {
      token,
      signal: abort.signal,
      onProgress: (p) => {
        if (tty) process.stderr.write(`\r${progressLine(p)}`);
        else if (p.elapsedSeconds - lastPrinted >= 5) {
          lastPrinted = p.elapsedSeconds;
          process.stderr.write(`${progressLine(p)}\n`);
        }
      },
    });
  } finally {
    process.off('SIGINT', onSignal);
    measured = resources.stop();
  }
  const { samples, unmeasuredReason } = measured;
  const criteria = successCriteria(kind, test.result, samples, unmeasuredReason);
  if (tty) process.stderr.write('\n');
  console.log(values.json ? JSON.stringify({ ...test, successCriteria: criteria }, null, 2) : summary(test, criteria));
  return { code: test.passed ? 0 : 1, test, criteria };
}
