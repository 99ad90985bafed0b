// Metrics analyzer :8082 — statistics, bottleneck diagnosis, capacity planning, regression verdicts, recommendations.
import { AppError, boundedText, type Logger } from '@logperf/core';
import {
  createHttpApp,
  numberFromText,
  registerNodeRoutes,
  validate,
  type NodeRuntime,
  type RouteRegistry,
} from '@logperf/platform';
import type { BottleneckThresholds } from '@logperf/measurements';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { planCapacity, projectGrowth, scalingPointsFrom } from './capacity.js';
import { compareRuns } from './compare.js';
import { diagnose, diagnoseWindow } from './diagnosis.js';
import { recommend, type BackendContext } from './recommendations.js';
import { runMetrics } from './run-metrics.js';
import type { RunData, RunSource } from './run-data.js';

export interface AnalyzerOptions {
  runs: RunSource;
  node: NodeRuntime;
  logger: Logger;
  thresholds: BottleneckThresholds;
  /** What the monitor sees of the backends now; resolves to a context without backends when no monitor answers. */
  backendContext: () => Promise<BackendContext>;
  apiToken?: string | undefined;
  allowedHosts?: readonly string[] | undefined;
  /** Records the app and its routes (tests enumerate every route from it). */
  routes?: RouteRegistry | undefined;
}

const testId = boundedText('testId', 200);
const testQuery = z.object({ testId: testId.optional() });
const rate = numberFromText(
  z
    .number('targetRatePerSecond must be a number')
    .finite('targetRatePerSecond must be finite')
    .gt(0, 'targetRatePerSecond must be positive')
    .max(1e9, 'targetRatePerSecond must be at most 1e9'),
);
const bottleneckQuery = z.object({
  testId: testId.optional(),
  windowSeconds: numberFromText(z.number('windowSeconds must be a number').int().min(3).max(3600)).optional(),
});
const capacityQuery = z.object({
  targetRatePerSecond: rate.optional(),
  tests: numberFromText(z.number('tests must be a number').int().min(1).max(100)).default(20),
  days: numberFromText(z.number('days must be a number').int().min(3).max(365)).default(30),
});
const point = z.strictObject({
  n: z.number('n must be a number').finite('n must be finite').gt(0, 'n must be positive').max(1e9),
  throughput: z
    .number('throughput must be a number')
    .finite('throughput must be finite')
    .min(0, 'throughput must not be negative')
    .max(1e12),
});
const capacityBody = z.strictObject({
  points: z.array(point).min(1, 'points must not be empty').max(10_000),
  targetRatePerSecond: z
    .number('targetRatePerSecond must be a number')
    .finite()
    .gt(0, 'targetRatePerSecond must be positive')
    .max(1e9)
    .optional(),
  unit: z.enum(['nodes', 'concurrency']).default('nodes'),
  currentNodes: z.number().int().min(1).max(100_000).optional(),
});
const compareBody = z.strictObject({
  baselineTestId: testId,
  candidateTestId: testId,
  alpha: z.number().gt(0).max(0.5).optional(),
  minRelativeChange: z.number().min(0).max(10).optional(),
});

export function buildAnalyzerApp(options: AnalyzerOptions): FastifyInstance {
  const { runs } = options;
  const app = createHttpApp({
    logger: options.logger,
    bodyLimitBytes: 1024 * 1024,
    apiToken: options.apiToken,
    allowedHosts: options.allowedHosts,
    routes: options.routes,
  });
  registerNodeRoutes(app, options.node, { checks: {} });

  const runOrLatest = async (id: string | undefined): Promise<RunData> => {
    if (id !== undefined) return runs.run(id);
    const latest = await runs.latest();
    if (!latest)
      throw new AppError(
        'NOT_FOUND',
        'no finished load test yet: run one (logperf burst|ramp, or POST /api/loadtest/burst | /api/loadtest/ramp)',
      );
    return latest;
  };

  app.get('/api/analysis/metrics', async (request) =>
    runMetrics(await runOrLatest(validate(testQuery, request.query).testId)),
  );

  app.get('/api/analysis/bottlenecks', async (request) => {
    const query = validate(bottleneckQuery, request.query);
    if (query.windowSeconds !== undefined && query.testId === undefined) {
      const rows = await runs.recentHistory(query.windowSeconds * 1000);
      return {
        windowSeconds: query.windowSeconds,
        seconds: rows.length,
        bottlenecks: diagnoseWindow(rows, options.thresholds),
      };
    }
    return diagnose(await runOrLatest(query.testId), options.thresholds);
  });

  app.get('/api/analysis/capacity', async (request) => {
    const query = validate(capacityQuery, request.query);
    const recent = await runs.recent(query.tests);
    const points = scalingPointsFrom(recent);
    const context = await options.backendContext();
    const growth = projectGrowth(await runs.dailyRates(query.days));
    const plan = planCapacity(points, 'concurrency', query.targetRatePerSecond, context.processorNodes);
    return { source: { tests: recent.map((r) => r.testId), points: points.length }, ...plan, growth };
  });

  app.post('/api/analysis/capacity', async (request) => {
    const body = validate(capacityBody, request.body);
    return planCapacity(body.points, body.unit, body.targetRatePerSecond, body.currentNodes ?? 1);
  });

  app.get('/api/analysis/recommendations', async (request) => {
    const run = await runOrLatest(validate(testQuery, request.query).testId);
    const diagnosis = diagnose(run, options.thresholds);
    const context = await options.backendContext();
    let plan = null;
    try {
      plan = planCapacity(scalingPointsFrom([run]), 'concurrency', run.intendedRatePerSecond, context.processorNodes);
    } catch (error) {
      if (!(error instanceof AppError) || error.status !== 422) throw error; // too few points for a fit: recommend without it
    }
    return { testId: run.testId, recommendations: recommend(diagnosis, plan, context), diagnosis: diagnosis.summary };
  });

  app.post('/api/analysis/compare', async (request) => {
    const body = validate(compareBody, request.body);
    const [baseline, candidate] = await Promise.all([runs.run(body.baselineTestId), runs.run(body.candidateTestId)]);
    return compareRuns(baseline, candidate, {
      ...(body.alpha === undefined ? {} : { alpha: body.alpha }),
      ...(body.minRelativeChange === undefined ? {} : { minRelativeChange: body.minRelativeChange }),
    });
  });
  return app;
}
