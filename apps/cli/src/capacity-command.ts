// `logperf capacity`: the highest rate a target sustains (p99 under a bound, ≥ 95 % achieved, lag flat, nothing lost),
// by a bounded binary search over short constant-rate load tests on a generator, then a longer confirmation step.
import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { AppError, createLogger, type Config, sleep } from '@logperf/core';
import { snapshotProcessors } from '@logperf/loadgen';
import { renderCapacityHtml } from './capacity-report.js';
import {
  judgeStep,
  searchCapacity,
  type CapacityResult,
  type StepCriteria,
  type StepVerdict,
} from './capacity-search.js';
import { runLoadTest } from './load-test-client.js';
import { progressLine, textTable } from './report.js';
import { startRoles } from './roles.js';

type Values = Record<string, string | boolean | undefined>;

export interface CapacityOptions {
  lowPerSecond: number;
  highPerSecond: number;
  resolutionPerSecond: number;
  maxSteps: number;
  maxSeconds: number;
  stepSeconds: number;
  confirmSeconds: number;
  warmupSeconds: number;
  drainSeconds: number;
  batchSize: number;
  target: string | undefined;
  criteria: StepCriteria;
}

const num = (values: Values, flag: string, fallback: number, min = 0): number => {
  const raw = values[flag];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min)
    throw new AppError('VALIDATION_FAILED', `--${flag} must be a number ≥ ${min}, got '${String(raw)}'`);
  return n;
};

export function capacityOptions(values: Values): CapacityOptions {
  const options: CapacityOptions = {
    lowPerSecond: num(values, 'low', 1000, 1),
    highPerSecond: num(values, 'high', 20_000, 1),
    resolutionPerSecond: num(values, 'resolution', 500, 1),
    maxSteps: num(values, 'max-steps', 10, 2),
    maxSeconds: num(values, 'max-minutes', 15, 0.1) * 60,
    stepSeconds: num(values, 'step-seconds', 10, 1),
    confirmSeconds: num(values, 'confirm-seconds', 30, 1),
    warmupSeconds: num(values, 'warmup-seconds', 2, 1),
    drainSeconds: num(values, 'drain-seconds', 10, 0),
    batchSize: num(values, 'batch-size', 100, 1),
    target: typeof values.target === 'string' ? values.target : undefined,
    criteria: {
      maxP99Ms: num(values, 'p99', 500, 1),
      minAchievedRatio: num(values, 'min-achieved', 0.95, 0),
      maxLagGrowthShare: num(values, 'max-lag-growth', 0.02, 0),
    },
  };
  if (options.highPerSecond <= options.lowPerSecond)
    throw new AppError(
      'VALIDATION_FAILED',
      `--high (${options.highPerSecond}) must be above --low (${options.lowPerSecond})`,
    );
  return options;
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');

/** Waits (bounded) until the processors stored at least `expected` events in all; returns their stored total, or null. */
async function storedWhenDrained(
  processorUrls: readonly string[],
  expected: number,
  timeoutMs: number,
): Promise<number | null> {
  if (processorUrls.length === 0) return null;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const snap = await snapshotProcessors(processorUrls);
    if (snap.reachable.length === 0) return null;
    if (snap.stored >= expected || Date.now() >= deadline) return snap.stored;
    await sleep(250);
  }
}

/** One constant-rate step: a ramp test whose ramp is flat (the warm-up) and whose hold is the judged window. */
/** The gateway's accepted-events total (its node stats), or null when unknown. */
async function acceptedTotal(gatewayUrl: string | undefined): Promise<number | null> {
  if (!gatewayUrl) return null;
  const res = await fetch(`${gatewayUrl}/api/node/stats`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
  if (!res?.ok) return null;
  return ((await res.json()) as { events?: { total?: number } }).events?.total ?? null;
}

/**
 * Lag = accepted − stored since the step began. With the gateway known (in-process), both counts are read at the same
 * moment; otherwise `accepted` is the generator's acknowledged count from its progress report (up to a poll older).
 */
export function stepRunner(
  loadgenUrl: string,
  processorUrls: readonly string[],
  o: CapacityOptions,
  token: string | undefined,
  gatewayUrl?: string,
) {
  let expectedStored: number | null = null;
  let index = 0;
  return async (rate: number, kind: 'step' | 'confirm'): Promise<StepVerdict> => {
    index++;
    const seconds = kind === 'confirm' ? o.confirmSeconds : o.stepSeconds;
    process.stderr.write(
      `${kind === 'confirm' ? 'confirm' : `step ${index}`}: ${int(rate)} events/s for ${seconds} s (+${o.warmupSeconds} s warm-up)\n`,
    );
    // The previous step's backlog must drain first, or it would be counted as this step's storing.
    const base = await storedWhenDrained(processorUrls, expectedStored ?? 0, 30_000);
    const acceptedBase = await acceptedTotal(gatewayUrl);
    const samples: Promise<[number, number] | null>[] = [];
    const tty = process.stderr.isTTY;
    const test = await runLoadTest(
      loadgenUrl,
      'ramp',
      {
        testName: `capacity-${kind}-${rate}`,
        startRatePerSecond: rate,
        targetRatePerSecond: rate,
        rampDuration: `PT${o.warmupSeconds}S`,
        holdDuration: `PT${seconds}S`,
        batchSize: o.batchSize,
        ...(o.target ? { target: o.target } : {}),
      },
      {
        token,
        onProgress: (p) => {
          if (tty) process.stderr.write(`\r${progressLine(p)}`);
          if (base === null || p.elapsedSeconds < o.warmupSeconds) return;
          const sample = async (): Promise<[number, number] | null> => {
            const accepted = acceptedBase === null ? null : await acceptedTotal(gatewayUrl);
            const s = await snapshotProcessors(processorUrls);
            if (s.reachable.length === 0) return null;
            return [
              p.elapsedSeconds,
              (accepted === null || acceptedBase === null ? p.acknowledged : accepted - acceptedBase) -
                (s.stored - base),
            ];
          };
          samples.push(sample());
        },
      },
    );
    if (tty) process.stderr.write('\n');
    const r = test.result;
    const hold = r.phases.find((ph) => ph.name === 'hold') ?? r.phases.at(-1)!;
    const stored =
      base === null ? null : await storedWhenDrained(processorUrls, base + r.acknowledged, o.drainSeconds * 1000);
    expectedStored = stored === null || base === null ? null : base + r.acknowledged;
    const verdict = judgeStep(
      {
        ratePerSecond: rate,
        durationSeconds: hold.durationSeconds,
        intended: r.intended,
        acknowledged: r.acknowledged,
        achievedRatePerSecond: hold.achievedRatePerSecond,
        p50Ms: hold.latencyMs.p50,
        p99Ms: hold.latencyMs.p99,
        errors: Object.values(r.errors).reduce((a, b) => a + b, 0),
        errorKinds: r.errors,
        dropped: r.dropped,
        stored: stored === null || base === null ? null : stored - base,
        lagSamples: (await Promise.all(samples)).filter((s): s is [number, number] => s !== null),
      },
      kind,
      o.criteria,
    );
    process.stderr.write(
      `  → ${verdict.passed ? 'PASS' : 'FAIL'}  p50 ${verdict.p50Ms.toFixed(1)} ms  p99 ${verdict.p99Ms.toFixed(1)} ms  achieved ${int(verdict.achievedRatePerSecond)}/s  lag end ${verdict.lagEndEvents ?? '–'}${verdict.reasons.length > 0 ? `  (${verdict.reasons.join('; ')})` : ''}\n`,
    );
    return verdict;
  };
}

export function capacityTable(result: CapacityResult): string {
  const rows = [
    ['#', 'kind', 'rate/s', 'achieved/s', 'p50 ms', 'p99 ms', 'lag end', 'lag slope/s', 'lost', 'verdict'],
    ...result.steps.map((s, i) => [
      String(i + 1),
      s.kind,
      int(s.ratePerSecond),
      int(s.achievedRatePerSecond),
      s.p50Ms.toFixed(1),
      s.p99Ms.toFixed(1),
      s.lagEndEvents === null ? '–' : int(s.lagEndEvents),
      s.lagSlopePerSecond === null ? '–' : int(s.lagSlopePerSecond),
      s.lost === null ? '–' : int(s.lost),
      s.passed ? 'pass' : `FAIL: ${s.reasons.filter((r) => !r.includes('not judged')).join('; ')}`,
    ]),
  ];
  const table = textTable(rows, [1, 9]);
  const found =
    result.maxSustainablePerSecond === null
      ? result.stoppedBy === 'low-bound-failed'
        ? 'no sustainable rate found: even the low bound failed'
        : `no sustainable rate found: no confirmation held (lowest failure ${int(result.firstFailingPerSecond ?? 0)} events/s)`
      : `maximum sustainable rate: ${int(result.maxSustainablePerSecond)} events/s (${result.confirmed ? 'confirmed' : 'NOT confirmed'}${result.firstFailingPerSecond === null ? '; the high bound passed, the limit is above it' : `; ${int(result.firstFailingPerSecond)} events/s failed`})`;
  const shortPasses = result.steps.filter((s) => s.kind === 'step' && s.passed).map((s) => s.ratePerSecond);
  const highestShort =
    shortPasses.length > 0
      ? `; highest rate that passed a ${result.steps[0]?.durationSeconds.toFixed(0) ?? ''} s step: ${int(Math.max(...shortPasses))} events/s`
      : '';
  return `${table}\n\n${found}; search stopped by ${result.stoppedBy} after ${result.steps.length} steps${highestShort}`;
}

/** Runs the search on `--url` (a running generator), or on the cluster started in this process (embedded, or `--real`). */
export async function runCapacityCommand(values: Values, config: Config, instances: number): Promise<number> {
  const o = capacityOptions(values);
  const startedAt = new Date();
  const deadline = Date.now() + o.maxSeconds * 1000;
  const nextStepMs = (Math.max(o.stepSeconds, o.confirmSeconds) + o.warmupSeconds + 2) * 1000;
  const outOfTime = () => Date.now() + nextStepMs > deadline;
  const remote = typeof values.url === 'string' ? values.url : undefined;
  const started = remote
    ? undefined
    : await startRoles(['processor', 'gateway', 'loadgen'], config, createLogger('logperf-capacity', 'warn'), {
        instances,
        ports: { processor: 0, gateway: 0, loadgen: 0 },
      });
  let result: CapacityResult;
  let mode: string;
  try {
    const loadgenUrl = remote ?? started!.urlOf('loadgen')!;
    const processorUrls =
      typeof values['processor-urls'] === 'string'
        ? values['processor-urls'].split(',').filter(Boolean)
        : started
          ? [started.urlOf('processor')!]
          : config.processorUrls;
    mode = remote
      ? `load generator ${remote}`
      : `in-process (bus ${config.bus}, store ${config.store}, cache ${config.cache}, ${instances} processor instance(s))`;
    console.log(
      `capacity search on ${mode}: ${int(o.lowPerSecond)}–${int(o.highPerSecond)} events/s, resolution ${int(o.resolutionPerSecond)}, p99 ≤ ${o.criteria.maxP99Ms} ms, ≤ ${o.maxSteps} steps, ≤ ${(o.maxSeconds / 60).toFixed(1)} min`,
    );
    result = await searchCapacity(
      stepRunner(loadgenUrl, processorUrls, o, config.apiToken, started?.urlOf('gateway')),
      {
        lowPerSecond: o.lowPerSecond,
        highPerSecond: o.highPerSecond,
        resolutionPerSecond: o.resolutionPerSecond,
        maxSteps: o.maxSteps,
      },
      outOfTime,
    );
  } finally {
    await started?.close();
  }
  const report = {
    kind: 'capacity' as const,
    mode,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    options: o,
    result,
  };
  console.log(values.json ? JSON.stringify(report, null, 2) : `\n${capacityTable(result)}`);
  const dir = resolve(typeof values['report-dir'] === 'string' ? values['report-dir'] : 'reports');
  await mkdir(dir, { recursive: true });
  const base = `${dir}/capacity-${startedAt.toISOString().replace(/[:.]/g, '-')}`;
  await writeFile(`${base}.json`, JSON.stringify(report, null, 2));
  await writeFile(`${base}.html`, await renderCapacityHtml(report));
  if (!values.json) console.log(`\nknee curve: ${base}.html\n            ${base}.json`);
  return result.maxSustainablePerSecond !== null && result.confirmed ? 0 : 1;
}
