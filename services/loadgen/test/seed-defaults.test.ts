// The seed's bare requests run the seed's scenarios (checked on the resolved plan, then stopped at once); unknown fields
// stay a 400 that names them and lists what is accepted.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, loadConfig } from '@logperf/core';
import { RouteRegistry } from '@logperf/platform';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { burstRequestSchema, rampRequestSchema } from '../src/scenarios.js';
import { startLoadgen } from '../src/start-loadgen.js';
import { startSink, type Sink } from './sink.js';

describe('seed request defaults', () => {
  it('resolves an empty body to the seed burst and ramp', () => {
    expect(burstRequestSchema.parse(undefined)).toMatchObject({
      testName: 'seed-burst',
      baselineRatePerSecond: 5_000,
      burstRatePerSecond: 20_000,
      baselineDuration: 120_000,
      burstDuration: 60_000,
    });
    expect(rampRequestSchema.parse({})).toMatchObject({
      testName: 'seed-ramp',
      startRatePerSecond: 1_000,
      targetRatePerSecond: 15_000,
      rampDuration: 600_000,
      holdDuration: 60_000,
    });
    // A partial body keeps what it gives and takes the seed's value for the rest.
    expect(rampRequestSchema.parse({ holdDuration: 'PT5S' })).toMatchObject({
      holdDuration: 5_000,
      rampDuration: 600_000,
    });
  });
});

describe('seed requests over HTTP', () => {
  let sink: Sink;
  let loadgen: Awaited<ReturnType<typeof startLoadgen>>;
  let app: FastifyInstance | undefined;

  beforeAll(async () => {
    sink = await startSink();
    const routes = new RouteRegistry();
    loadgen = await startLoadgen({
      config: loadConfig({}, { 'pglite-dir': mkdtempSync(join(tmpdir(), 'logperf-seed-')) }),
      logger: createLogger('seed-defaults-test', 'silent'),
      port: 0,
      allowedTargets: [sink.url],
      processorUrls: [],
      routes,
    });
    app = routes.apps()[0]?.app;
  });
  afterAll(async () => {
    await loadgen.close();
    await sink.close();
  });

  const post = (url: string, headers: Record<string, string>, payload?: string) =>
    app!.inject({ method: 'POST', url, headers, ...(payload === undefined ? {} : { payload }) });

  it.each([
    ['burst', 'no body', {}, undefined, 'seed-burst', 300, 5_000, ['baseline', 'burst', 'recovery']],
    ['burst', 'an empty JSON body', { 'content-type': 'application/json' }, '', 'seed-burst', 300, 5_000, null],
    ['ramp', '{}', { 'content-type': 'application/json' }, '{}', 'seed-ramp', 660, 1_000, ['ramp', 'hold']],
    ['ramp', 'no body', {}, undefined, 'seed-ramp', 660, 1_000, null],
  ] as const)(
    '%s with %s runs the seed scenario',
    async (kind, _what, headers, payload, testName, durationSeconds, firstRate, phases) => {
      const started = await post(`/api/loadtest/${kind}`, headers, payload);
      expect(started.statusCode).toBe(202);
      const { testId } = started.json<{ testId: string }>();
      const plan = (await app!.inject(`/api/loadtest/${testId}`)).json<Record<string, number | string>>();
      const stopped = await post(`/api/loadtest/${testId}/stop`, {});
      expect(plan).toMatchObject({ testName, durationSeconds, status: 'running' });
      // Read within the first seconds: the ramp has barely left 1,000/s, the burst is in its 5,000/s baseline.
      expect(plan.intendedRatePerSecond).toBeGreaterThanOrEqual(firstRate);
      expect(plan.intendedRatePerSecond).toBeLessThan(firstRate * 1.5);
      expect(stopped.json()).toMatchObject({ status: 'stopped', testName });
      if (phases) {
        const result = stopped.json<{ result: { phases: { name: string }[] } }>().result;
        expect(result.phases.map((p) => p.name)).toEqual(phases);
      }
    },
    20_000,
  );

  it('answers an unknown field with a 400 naming it and listing the accepted fields, and starts nothing', async () => {
    const before = sink.requests();
    const res = await post('/api/loadtest/ramp', { 'content-type': 'application/json' }, '{"turbo":true}');
    expect(res.statusCode).toBe(400);
    const { error } = res.json<{ error: { code: string; message: string } }>();
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toContain("unknown field 'turbo'");
    expect(error.message).toMatch(/accepted fields: .*startRatePerSecond.*holdDuration/);
    expect(sink.requests()).toBe(before);
    expect((await app!.inject('/api/loadtest/results/latest')).json()).not.toMatchObject({ status: 'running' });
  });
});
