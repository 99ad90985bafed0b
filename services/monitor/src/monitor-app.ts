// Monitor :8080 — the seed's performance endpoints, Prometheus /metrics, node registration and the live stream.
import { AppError, type Logger } from '@logperf/core';
import { createHttpApp, numberFromText, registerNodeRoutes, validate, type NodeRuntime } from '@logperf/cluster';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ClusterState } from './cluster-state.js';
import type { HistoryStore } from './history.js';
import { baselineFrom, buildReport } from './report.js';
import type { MonitorMetrics } from './prometheus.js';

export interface MonitorOptions {
  state: ClusterState;
  history: HistoryStore;
  metrics: MonitorMetrics;
  node: NodeRuntime;
  logger: Logger;
  apiToken?: string | undefined;
  /** Hosts a node may register from (its URL's hostname); default loopback only. */
  registrableHosts: readonly string[];
  /** The dashboard page, served at GET /. */
  dashboardHtml: () => Promise<string>;
  streamIntervalMs?: number;
}

const component = z
  .string()
  .regex(/^[A-Za-z0-9][\w.-]{0,63}$/, 'component must be 1–64 letters, digits, dot, dash or underscore');
const latencyMs = numberFromText(
  z
    .number('latencyMs must be a number')
    .finite('latencyMs must be a finite number')
    .min(0, 'latencyMs must not be negative')
    .max(3_600_000, 'latencyMs must be at most one hour'),
);
const sample = z.strictObject({ component, latencyMs });
const recordBody = z.union([
  sample,
  z.array(sample).min(1).max(10_000),
  z.strictObject({ samples: z.array(sample).min(1).max(10_000) }),
]);
const windowQuery = (fallback: number) =>
  z.object({
    windowSeconds: numberFromText(z.number('windowSeconds must be a number').int().min(1).max(3600)).default(fallback),
  });
const baselineBody = z.strictObject({
  name: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .default(() => `baseline-${new Date().toISOString()}`),
  windowMinutes: z.number().int().min(1).max(1440).default(5),
});
const reportQuery = z.object({
  durationMinutes: numberFromText(
    z
      .number('durationMinutes must be a number')
      .int('durationMinutes must be a whole number')
      .gt(0, 'durationMinutes must be positive')
      .max(43_200, 'durationMinutes must be at most 43,200 (30 days)'),
  ).default(60),
  baseline: z.string().min(1).max(100).optional(),
});
const registration = z.strictObject({ url: z.url().refine((u) => /^https?:/.test(u), 'url must be http(s)') });

export function buildMonitorApp(options: MonitorOptions): FastifyInstance {
  const { state, node } = options;
  const app = createHttpApp({ logger: options.logger, bodyLimitBytes: 1024 * 1024, apiToken: options.apiToken });
  registerNodeRoutes(app, node, {
    checks: {},
    metrics: { contentType: options.metrics.contentType, text: () => options.metrics.text() },
  });

  app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(await options.dashboardHtml()));

  app.get('/api/performance/metrics', async () => ({
    atMs: Date.now(),
    nodes: state.nodes(),
    cluster: state.cluster(),
  }));

  app.get('/api/performance/latency', async (request) => {
    const { windowSeconds } = validate(windowQuery(60), request.query);
    return { windowSeconds, unit: 'ms', components: state.windows.summaries(windowSeconds) };
  });

  app.get('/api/performance/bottlenecks', async (request) => {
    const { windowSeconds } = validate(windowQuery(30), request.query);
    return { windowSeconds, thresholds: state.thresholds, bottlenecks: state.bottlenecks(windowSeconds) };
  });

  app.post('/api/performance/baseline', async (request, reply) => {
    const { name, windowMinutes } = validate(baselineBody, request.body ?? {});
    const now = Date.now();
    const rows = await options.history.range(now - windowMinutes * 60_000, now);
    if (rows.length < 3)
      throw new AppError(
        'UNPROCESSABLE',
        `only ${rows.length} second(s) measured in the last ${windowMinutes} min; a baseline needs at least 3`,
      );
    const baseline = baselineFrom(name, rows, now);
    await options.history.saveBaseline(baseline);
    return reply.status(201).send({
      name,
      fromMs: baseline.fromMs,
      toMs: baseline.toMs,
      seconds: rows.length,
      components: Object.keys(baseline.p99ByComponent),
    });
  });

  app.get('/api/performance/report', async (request) => {
    const { durationMinutes, baseline: name } = validate(reportQuery, request.query);
    const now = Date.now();
    const baseline = await options.history.baseline(name);
    if (name !== undefined && !baseline) throw new AppError('NOT_FOUND', `no baseline named '${name}'`);
    const rows = await options.history.range(now - durationMinutes * 60_000, now);
    return { durationMinutes, ...buildReport(rows, now - durationMinutes * 60_000, now, baseline, state.thresholds) };
  });

  app.post('/api/performance/record', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const samples =
      query.component !== undefined || query.latencyMs !== undefined
        ? [validate(sample, query)]
        : normalise(validate(recordBody, request.body));
    const now = Date.now();
    for (const s of samples) state.windows.recordMs(s.component, s.latencyMs, now);
    return reply.status(202).send({ recorded: samples.length });
  });

  app.post('/api/performance/nodes', async (request, reply) => {
    const { url } = validate(registration, request.body);
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    if (!options.registrableHosts.includes(host))
      throw new AppError('VALIDATION_FAILED', `nodes may register only from ${options.registrableHosts.join(', ')}`, {
        details: [{ path: 'url', reason: 'host not allowed' }],
      });
    state.scraper.addNode(url);
    return reply.status(202).send({ registered: new URL(url).origin });
  });

  app.get('/api/performance/stream', (request, reply) => {
    void reply.hijack();
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    const send = () => reply.raw.write(`event: snapshot\ndata: ${JSON.stringify(state.snapshot())}\n\n`);
    send();
    const timer = setInterval(send, options.streamIntervalMs ?? 1000);
    request.raw.on('close', () => clearInterval(timer));
  });
  return app;
}

function normalise(body: z.output<typeof recordBody>): z.output<typeof sample>[] {
  if (Array.isArray(body)) return body;
  return 'samples' in body ? body.samples : [body];
}
