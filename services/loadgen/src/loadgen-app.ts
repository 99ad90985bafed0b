// Load generator :8081 — the DESIGN.md contract: burst, ramp, status, stop, results; live progress as Prometheus series.
import { AppError, type Logger } from '@logperf/core';
import {
  createHttpApp,
  numberFromText,
  registerNodeRoutes,
  validate,
  type NodeRuntime,
  type RouteRegistry,
} from '@logperf/platform';
import type { FastifyInstance } from 'fastify';
import { Gauge } from 'prom-client';
import { z } from 'zod';
import { DEFAULT_MIX, type EventMix } from './event-factory.js';
import type { ResultsRepository } from '@logperf/measurements';
import type { LoadTestRunner, TestRequest } from './runner.js';
import { burstRequestSchema, burstScenario, rampRequestSchema, rampScenario } from './scenarios.js';
import { checkAllowed, type TargetSpec } from './target.js';

export interface LoadgenOptions {
  runner: LoadTestRunner;
  repository: ResultsRepository;
  node: NodeRuntime;
  logger: Logger;
  apiToken?: string | undefined;
  allowedHosts?: readonly string[] | undefined;
  /** Records the app and its routes (tests enumerate every route from it). */
  routes?: RouteRegistry | undefined;
  /** Origins a test may target (LOGPERF_LOADGEN_ALLOWED_TARGETS). */
  allowedTargets: readonly string[];
  /** Target when a request names none. */
  defaultTarget: string;
  /** The cluster's bus for `target: "kafka"`; an in-process (memory) bus cannot be reached from the generator thread. */
  bus: Extract<TargetSpec, { kind: 'kafka' }>['bus'];
  /** Whether `target: "kafka"` may be used at all: it bypasses the gateway's admission control (LOGPERF_LOADGEN_ALLOW_KAFKA). */
  allowKafka?: boolean;
  maxInFlight?: number;
  timeoutMs?: number;
}

const testIdParams = z.object({ testId: z.uuid('testId must be a UUID') });
const listQuery = z.object({
  limit: numberFromText(z.number('limit must be a number').int().min(1).max(500)).default(50),
  offset: numberFromText(z.number('offset must be a number').int().min(0)).default(0),
});

export function buildLoadgenApp(options: LoadgenOptions): FastifyInstance {
  const { runner, repository, node } = options;
  const app = createHttpApp({
    logger: options.logger,
    bodyLimitBytes: 64 * 1024,
    apiToken: options.apiToken,
    allowedHosts: options.allowedHosts,
    routes: options.routes,
  });
  registerNodeRoutes(app, node, {
    checks: { results: async () => void (await repository.latest()) },
    roleStats: () => ({ runningTest: runner.runningTest() ?? null, generator: runner.generatorCost() }),
  });
  registerProgressGauges(node, runner);

  /** Checked before anything connects: a target off the allowlist never sees a packet. */
  function targetOf(spec: string | undefined): { spec: TargetSpec; description: string } {
    const timeoutMs = options.timeoutMs ?? 10_000;
    if (spec === 'kafka') {
      if (!options.allowKafka)
        throw new AppError(
          'VALIDATION_FAILED',
          "target 'kafka' is off: it bypasses the gateway's admission control; allow it with LOGPERF_LOADGEN_ALLOW_KAFKA=true",
          { details: [{ path: 'target', reason: 'kafka target not allowed' }] },
        );
      if (options.bus.bus !== 'kafka')
        throw new AppError(
          'VALIDATION_FAILED',
          "target 'kafka' needs a Kafka bus (--real or LOGPERF_BUS=kafka): the embedded in-process bus lives on the cluster's thread, which the generator thread must not share; target the gateway URL instead",
          { details: [{ path: 'target', reason: 'in-process bus' }] },
        );
      return {
        spec: { kind: 'kafka', bus: options.bus, timeoutMs },
        description: `kafka bus topic ${options.bus.kafkaTopic}`,
      };
    }
    const url = checkAllowed(spec ?? options.defaultTarget, options.allowedTargets);
    const path = url.pathname === '/' ? '/api/logs' : url.pathname;
    return {
      spec: {
        kind: 'http',
        url: `${url.origin}${path}`,
        connections: options.maxInFlight ?? 64,
        timeoutMs,
        testId: '',
        ...(options.apiToken === undefined ? {} : { apiToken: options.apiToken }),
      },
      description: `${url.origin}${path}`,
    };
  }

  async function start(kind: 'burst' | 'ramp', body: unknown) {
    const request = kind === 'burst' ? validate(burstRequestSchema, body) : validate(rampRequestSchema, body);
    const scenario =
      kind === 'burst'
        ? burstScenario(request as z.output<typeof burstRequestSchema>)
        : rampScenario(request as z.output<typeof rampRequestSchema>);
    const eventMix: EventMix = { ...DEFAULT_MIX, ...request.eventMix };
    const target = targetOf(request.target);
    const test: TestRequest = {
      kind,
      eventMix,
      testName: request.testName,
      batchSize: request.batchSize,
      thresholds: request.thresholds,
      config: body,
      scenario,
      target: target.spec,
      targetDescription: target.description,
    };
    return runner.start(test);
  }

  // The seed's `curl -X POST -H 'Content-Type: application/json' …/burst` sends no body: here an empty JSON body is no
  // body (the seed's scenario), not a parse error. Scoped to the two start routes.
  void app.register(async (scope) => {
    const parseJson = scope.getDefaultJsonParser('error', 'error');
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, (request, text, done) =>
      text.length === 0 ? done(null, undefined) : parseJson(request, text.toString(), done),
    );
    scope.post('/api/loadtest/burst', async (request, reply) =>
      reply.status(202).send(await start('burst', request.body)),
    );
    scope.post('/api/loadtest/ramp', async (request, reply) =>
      reply.status(202).send(await start('ramp', request.body)),
    );
  });
  app.get('/api/loadtest/:testId', async (request) => runner.status(validate(testIdParams, request.params).testId));
  app.post('/api/loadtest/:testId/stop', async (request) => runner.stop(validate(testIdParams, request.params).testId));

  const latest = async () =>
    (await repository.latest()) ?? Promise.reject(new AppError('NOT_FOUND', 'no finished test yet'));
  app.get('/api/results/latest', latest);
  app.get('/api/loadtest/results/latest', latest);
  app.get('/api/results', async (request) => {
    const { limit, offset } = validate(listQuery, request.query);
    return { results: await repository.list(limit, offset), limit, offset };
  });
  app.get('/api/results/:testId', async (request) => {
    const { testId } = validate(testIdParams, request.params);
    return (await repository.get(testId)) ?? Promise.reject(new AppError('NOT_FOUND', `no test ${testId}`));
  });
  return app;
}

/** Per-second progress of the running test as Prometheus gauges (0 when idle). */
function registerProgressGauges(node: NodeRuntime, runner: LoadTestRunner): void {
  const gauge = (
    name: string,
    help: string,
    read: (p: NonNullable<ReturnType<LoadTestRunner['runningTest']>>) => number,
  ) =>
    new Gauge({
      name,
      help,
      registers: [node.telemetry.registry],
      collect() {
        const progress = runner.runningTest();
        this.set(progress ? read(progress) : 0);
      },
    });
  gauge(
    'loadgen_intended_rate_per_second',
    'Intended events per second of the running test',
    (p) => p.intendedRatePerSecond,
  );
  gauge(
    'loadgen_achieved_rate_per_second',
    'Events acknowledged in the last full second',
    (p) => p.achievedRatePerSecond,
  );
  gauge('loadgen_latency_p99_seconds', 'Corrected p99 latency in the last full second', (p) => p.p99Ms / 1000);
  gauge('loadgen_events_sent', 'Events sent by the running test', (p) => p.sent);
  gauge('loadgen_events_dropped', 'Events the running test could not send', (p) => p.dropped);
  gauge('loadgen_events_late', 'Events sent later than intended by the running test', (p) => p.late);
}
