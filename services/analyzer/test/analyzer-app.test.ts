// The analyzer's HTTP API on the embedded store (PGlite): stored results and monitor seconds in, analyses out.
import { createLogger } from '@logperf/core';
import { createSqlClient } from '@logperf/cluster';
import { NodeRuntime, type SqlClient } from '@logperf/platform';
import { DEFAULT_THRESHOLDS, HistoryStore, ResultsRepository } from '@logperf/measurements';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAnalyzerApp } from '../src/analyzer-app.js';
import { RunSource, type RunData } from '../src/run-data.js';
import { uslThroughput } from '../src/usl.js';
import { node, syntheticRun } from './runs.js';

let sql: SqlClient;
let app: FastifyInstance;

async function store(results: ResultsRepository, history: HistoryStore, run: RunData, startedAt: number) {
  const shift = startedAt - run.startedAt;
  await results.save({
    testId: run.testId,
    testName: run.testName,
    kind: run.kind,
    status: 'completed',
    startedAt,
    finishedAt: run.finishedAt + shift,
    passed: true,
    result: {
      target: run.target,
      durationSeconds: run.durationSeconds,
      intendedRatePerSecond: run.intendedRatePerSecond,
      achievedRatePerSecond: run.achievedRatePerSecond,
      intended: run.intended,
      acknowledged: run.acknowledged,
      dropped: 0,
      errors: run.errors,
      saturated: false,
      timeline: run.seconds,
      histograms: { latency: run.latencyHistogram, serviceTime: run.latencyHistogram },
    },
  });
  for (const row of run.history) await history.append({ ...row, atMs: row.atMs + shift });
}

beforeAll(async () => {
  sql = await createSqlClient(
    { store: 'pglite', databaseUrl: 'postgres://unused', pgliteDir: 'memory://' },
    'analyzer-test',
  );
  const results = new ResultsRepository(sql);
  const history = new HistoryStore(sql);
  await Promise.all([results.init(), history.init()]);
  const base = Date.now() - 3600_000;
  // A ramp whose processor saturates: latency leaves its floor at 30 s, throughput flattens at 4,000/s.
  const saturating = syntheticRun({
    testId: 'ramp-1',
    seconds: 60,
    seed: 1,
    rate: (s) => Math.min(4000, 1000 + s * 100),
    latencyMs: (s) => (s < 30 ? 10 : 10 + (s - 30) * 15),
    nodes: (s) => [node('processor-1', 'processor', { cpuPercent: Math.min(98, 30 + s * 2) })],
  });
  await store(results, history, saturating, base);
  await store(
    results,
    history,
    syntheticRun({ testId: 'steady-a', seconds: 30, seed: 2, rate: () => 2000, latencyMs: () => 10 }),
    base + 600_000,
  );
  await store(
    results,
    history,
    syntheticRun({ testId: 'steady-b', seconds: 30, seed: 3, rate: () => 2000, latencyMs: () => 13 }),
    base + 1200_000,
  );
  app = buildAnalyzerApp({
    runs: new RunSource(results, history),
    node: new NodeRuntime('analyzer-test', 'analyzer', 'analysed'),
    logger: createLogger('analyzer-test', 'silent'),
    thresholds: DEFAULT_THRESHOLDS,
    backendContext: async () => ({ partitions: 6, processorNodes: 1, redis: null, postgres: null }),
  });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await sql?.close();
});

const get = async (url: string) => {
  const res = await app.inject({ method: 'GET', url });
  return { status: res.statusCode, body: res.json<Record<string, unknown>>() };
};
const post = async (url: string, payload: unknown) => {
  const res = await app.inject({ method: 'POST', url, payload: payload as object });
  return { status: res.statusCode, body: res.json<Record<string, unknown>>() };
};

describe('analyzer API', () => {
  it('GET /api/analysis/metrics: the statistics of a test, with the second its latency changed', async () => {
    const { status, body } = await get('/api/analysis/metrics?testId=ramp-1');
    expect(status).toBe(200);
    expect(body).toMatchObject({ testId: 'ramp-1', steadyState: { steady: false } });
    expect((body.latencyChange as { atSecond: number }).atSecond).toBeGreaterThanOrEqual(28);
    expect((body.latencyChange as { atSecond: number }).atSecond).toBeLessThanOrEqual(36);
    expect((body.endToEndLatencyMs as { count: number }).count).toBe(60 * 200);
    expect((await get('/api/analysis/metrics')).body.testId).toBe('steady-b'); // the latest
  });

  it('GET /api/analysis/bottlenecks names the saturated processor first', async () => {
    const { status, body } = await get('/api/analysis/bottlenecks?testId=ramp-1');
    expect(status).toBe(200);
    const findings = body.findings as { rule: string; component: string }[];
    expect(findings[0]).toMatchObject({ rule: 'cpu', component: 'processor' });
  });

  it('GET /api/analysis/recommendations ties each action to its evidence', async () => {
    const { status, body } = await get('/api/analysis/recommendations?testId=ramp-1');
    expect(status).toBe(200);
    const recs = body.recommendations as { area: string; action: string; evidence: string }[];
    expect(recs[0]!.action).toMatch(/add \d+ processor instance/);
    expect(recs[0]!.evidence).toMatch(
      /processor-1 \(processor\) process CPU % of one core: mean \d+(\.\d)? against a threshold of 75/,
    );
  });

  it('POST /api/analysis/capacity fits the USL and sizes for a target; fewer than 4 points is a 422', async () => {
    const truth = { lambda: 1000, sigma: 0.05, kappa: 0.002 };
    const points = [1, 2, 3, 4, 6, 8, 12, 16].map((n) => ({ n, throughput: uslThroughput(truth, n) }));
    const { status, body } = await post('/api/analysis/capacity', { points, targetRatePerSecond: 5000 });
    expect(status).toBe(200);
    expect(body.unit).toBe('nodes');
    expect((body.fit as { sigma: number }).sigma).toBeCloseTo(0.05, 3);
    expect((body.fit as { peakN: number }).peakN).toBe(21);
    expect(body.size).toMatchObject({ reachable: true, requiredThroughput: 6500 });
    const few = await post('/api/analysis/capacity', { points: points.slice(0, 3) });
    expect(few.status).toBe(422);
    expect((few.body.error as { message: string }).message).toMatch(/at least 4/);
  });

  it("GET /api/analysis/capacity fits the stored tests (concurrency by Little's law) and says why growth is unknown", async () => {
    const { status, body } = await get('/api/analysis/capacity?targetRatePerSecond=3000');
    expect(status).toBe(200);
    expect((body.source as { points: number }).points).toBeGreaterThanOrEqual(10);
    expect(body.unit).toBe('concurrency');
    expect((body.fit as { peakThroughput: number }).peakThroughput).toBeGreaterThan(3000);
    expect((body.fit as { peakThroughput: number }).peakThroughput).toBeLessThan(6000);
    expect(body.growth).toMatchObject({ available: false });
  });

  it('POST /api/analysis/compare: a 30% slower run is a regression', async () => {
    const { status, body } = await post('/api/analysis/compare', {
      baselineTestId: 'steady-a',
      candidateTestId: 'steady-b',
    });
    expect(status).toBe(200);
    expect(body.verdict).toBe('regressed');
    const p50 = (body.metrics as { metric: string; verdict: string; pValue: number }[]).find(
      (m) => m.metric === 'request latency p50',
    )!;
    expect(p50.verdict).toBe('regressed');
    expect(p50.pValue).toBeLessThan(0.01);
  });

  it('bad input is a 4xx naming the field, and changes nothing', async () => {
    const bad = await post('/api/analysis/capacity', { points: [{ n: -1, throughput: 'fast' }] });
    expect(bad.status).toBe(400);
    expect((bad.body.error as { message: string }).message).toMatch(
      /points\.0\.n: n must be positive; points\.0\.throughput: throughput must be a number/,
    );
    expect((await get('/api/analysis/capacity?targetRatePerSecond=-5')).status).toBe(400);
    expect((await post('/api/analysis/compare', { baselineTestId: 'steady-a' })).status).toBe(400);
    const missing = await post('/api/analysis/compare', { baselineTestId: 'steady-a', candidateTestId: 'nope' });
    expect(missing.status).toBe(404);
    expect((missing.body.error as { message: string }).message).toMatch(/no load test with id 'nope'/);
    expect((await get('/api/analysis/metrics?testId=nope')).status).toBe(404);
  });
});
