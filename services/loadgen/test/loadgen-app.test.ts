// The load generator's HTTP contract: validation, allowlist, one test at a time, results that survive a restart.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, loadConfig, sleep } from '@logperf/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLoadgen } from '../src/start-loadgen.js';
import { GENERATOR_LIMIT_SHARE } from '../src/verdict.js';
import { startSink, type Sink } from './sink.js';

const logger = createLogger('loadgen-test', 'silent');

describe('load generator API', () => {
  let sink: Sink;
  let loadgen: Awaited<ReturnType<typeof startLoadgen>>;
  const pgliteDir = mkdtempSync(join(tmpdir(), 'logperf-loadgen-'));
  const start = () =>
    startLoadgen({
      config: loadConfig({}, { 'pglite-dir': pgliteDir }),
      logger,
      port: 0,
      allowedTargets: [sink.url],
      processorUrls: [],
    });
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${loadgen.url}${path}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    return {
      status: res.status,
      body: (await res.json()) as Record<string, unknown> & { error?: { code: string; message: string } },
    };
  };
  const burst = (overrides: Record<string, unknown> = {}) => ({
    testName: 'api-burst',
    baselineRatePerSecond: 200,
    burstRatePerSecond: 800,
    baselineDuration: 'PT1S',
    burstDuration: 'PT1S',
    batchSize: 20,
    thresholds: { p99Ms: 5000, errorRate: 0 },
    ...overrides,
  });

  /** The generator thread starts its schedule once it is up (slower from TypeScript sources): wait for sends. */
  const runningWithSends = async (testId: string) => {
    for (let i = 0; i < 100; i++) {
      const live = await call('GET', `/api/loadtest/${testId}`);
      if (live.body.status === 'running' && Number(live.body.sent) > 0) return live;
      await sleep(100);
    }
    throw new Error(`test ${testId} sent nothing within 10 s`);
  };

  beforeAll(async () => {
    sink = await startSink();
    loadgen = await start();
  });
  afterAll(async () => {
    await loadgen.close();
    await sink.close();
  });

  it.each([
    ['zero rate', { burstRatePerSecond: 0 }, 'burstRatePerSecond'],
    ['negative rate', { baselineRatePerSecond: -5 }, 'baselineRatePerSecond'],
    ['rate above 1,000,000/s', { burstRatePerSecond: 2_000_000 }, 'burstRatePerSecond'],
    ['non-ISO duration', { burstDuration: '60s' }, 'burstDuration'],
    ['zero duration', { baselineDuration: 'PT0S' }, 'baselineDuration'],
    ['duration over 24 h', { burstDuration: 'PT25H' }, 'burstDuration'],
    ['unknown field', { turbo: true }, ''],
    ['empty name', { testName: ' ' }, 'testName'],
    ['target off the allowlist', { target: 'http://127.0.0.1:1/api/logs' }, 'target'],
    ['target on another host', { target: 'http://example.com/api/logs' }, 'target'],
    ["target 'kafka' on the in-process bus (the generator thread cannot reach it)", { target: 'kafka' }, 'target'],
  ])('rejects %s with 400 naming the field, and starts nothing', async (_name, change, field) => {
    const res = await call('POST', '/api/loadtest/burst', burst(change));
    expect(res.status).toBe(400);
    expect(res.body.error?.code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(res.body.error)).toContain(field);
    expect(sink.requests()).toBe(0);
  });

  it('runs a burst, refuses a second concurrent test with 409, and reports per-phase results with thresholds', async () => {
    const started = await call(
      'POST',
      '/api/loadtest/burst',
      burst({ eventMix: { levels: { ERROR: 1, WARN: 3 }, messageMedianBytes: 64 } }),
    );
    expect(started.status).toBe(202);
    const testId = started.body.testId as string;
    expect(started.body.status).toBe('running');
    const second = await call('POST', '/api/loadtest/ramp', {
      testName: 'r',
      startRatePerSecond: 10,
      targetRatePerSecond: 20,
      rampDuration: 'PT1S',
      holdDuration: 'PT1S',
    });
    expect(second.status).toBe(409);
    const live = await runningWithSends(testId);
    expect(live.body).toMatchObject({ testId, status: 'running' });
    const metrics = await (await fetch(`${loadgen.url}/metrics`)).text();
    expect(metrics).toMatch(/^loadgen_intended_rate_per_second\{[^}]*\} (200|800)$/m);
    expect(metrics).toMatch(/^loadgen_events_sent\{[^}]*\} [1-9]\d*$/m);
    let done = live;
    for (let i = 0; i < 60 && done.body.status === 'running'; i++) {
      await sleep(250);
      done = await call('GET', `/api/loadtest/${testId}`);
    }
    expect(done.body.status).toBe('completed');
    const result = done.body.result as Record<string, unknown> & {
      phases: { name: string; intended: number; acknowledged: number }[];
      thresholds: { name: string; source: string; passed: boolean }[];
    };
    expect(result).toMatchObject({ intended: 1200, acknowledged: 1200, dropped: 0 });
    expect(result.phases.map((p) => [p.name, p.intended, p.acknowledged])).toEqual([
      ['baseline', 200, 200],
      ['burst', 800, 800],
      ['recovery', 200, 200],
    ]);
    // The two the request set, and the drop limit every test has unless it sets its own.
    expect(result.thresholds.map((t) => [t.name, t.source, t.passed])).toEqual([
      ['p99Ms', 'request', true],
      ['errorRate', 'request', true],
      ['droppedRate', 'default', true],
    ]);
    // Thresholds met; whether the run stays valid depends on the generator keeping its schedule on this host, so the
    // verdict must follow the generator's own lateness as measured in this run.
    expect(result.thresholds.every((t) => t.passed)).toBe(true);
    const own = (result.generatorLate as number) + (result.generatorDropped as number);
    const limited = own / 1200 > GENERATOR_LIMIT_SHARE;
    expect(result.generatorLimited).toBe(limited);
    expect(result.verdict).toEqual(
      limited
        ? { status: 'invalid', reason: expect.stringContaining(`generator-limited: ${own} of 1200 events`) as string }
        : { status: 'passed', reason: expect.stringMatching(/^all 3 thresholds met/) as string },
    );
    expect(result.passed).toBe(true);
    const { cost } = result.generator as { cost: { cpuMicrosPerEvent: number | null; sent: number } };
    expect(cost.sent).toBe(1200);
    expect(cost.cpuMicrosPerEvent).toBeGreaterThan(0);
    const stats = await call('GET', '/api/node/stats');
    expect(stats.body.generator).toEqual(cost);
    expect(result.endToEnd).toMatchObject({ available: false });
    expect(sink.events()).toBe(1200);
    const levels = sink.levels();
    expect(Object.keys(levels).sort()).toEqual(['ERROR', 'WARN']);
    expect((levels.ERROR ?? 0) / 1200).toBeGreaterThan(0.15);
    expect((levels.ERROR ?? 0) / 1200).toBeLessThan(0.35);
    const latest = await call('GET', '/api/results/latest');
    expect(latest.body.testId).toBe(testId);
    expect((await call('GET', '/api/loadtest/results/latest')).body.testId).toBe(testId);
  }, 30_000);

  it('stops a running test, keeping its partial result, and fails a threshold it missed', async () => {
    const started = await call('POST', '/api/loadtest/ramp', {
      testName: 'to-stop',
      startRatePerSecond: 100,
      targetRatePerSecond: 500,
      rampDuration: 'PT10S',
      holdDuration: 'PT10S',
      thresholds: { minAchievedRatio: 1.0, p50Ms: 0.001 },
    });
    const testId = started.body.testId as string;
    await runningWithSends(testId);
    await sleep(1000);
    const stopped = await call('POST', `/api/loadtest/${testId}/stop`);
    expect(stopped.body.status).toBe('stopped');
    const result = stopped.body.result as {
      intended: number;
      passed: boolean;
      thresholds: { name: string; passed: boolean }[];
    };
    expect(result.intended).toBeGreaterThan(100);
    expect(result.passed).toBe(false);
    expect(result.thresholds.find((t) => t.name === 'p50Ms')?.passed).toBe(false);
  }, 30_000);

  it('keeps the results across a restart and answers 404 for unknown tests', async () => {
    const before = await call('GET', '/api/results');
    expect((before.body.results as unknown[]).length).toBe(2);
    await loadgen.close();
    loadgen = await start();
    const after = await call('GET', '/api/results');
    expect(after.body.results).toEqual(before.body.results);
    expect((await call('GET', '/api/results/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await call('GET', '/api/results/not-a-uuid')).status).toBe(400);
  }, 30_000);
});
