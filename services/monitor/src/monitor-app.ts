// Monitor :8080 — the seed's performance endpoints, Prometheus /metrics, node registration and the live stream.
import { AppError, boundedText, type Logger } from '@logperf/core';
import {
  createHttpApp,
  numberFromText,
  registerNodeRoutes,
  validate,
  type NodeRuntime,
  type RouteRegistry,
} from '@logperf/platform';
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ClusterState } from './cluster-state.js';
import type { HistoryStore, MinuteHistory } from '@logperf/measurements';
import { baselineFrom, buildReport } from './report.js';
import type { MonitorMetrics } from './prometheus.js';

export interface MonitorOptions {
  state: ClusterState;
  history: HistoryStore;
  /** Per-minute aggregates the report reads for whole minutes. */
  minutes: MinuteHistory;
  metrics: MonitorMetrics;
  node: NodeRuntime;
  logger: Logger;
  apiToken?: string | undefined;
  allowedHosts?: readonly string[] | undefined;
  /** Records the app and its routes (tests enumerate every route from it). */
  routes?: RouteRegistry | undefined;
  /** Hosts a node may register from (its URL's hostname); default loopback only. */
  registrableHosts: readonly string[];
  /** The dashboard page, served at GET /. */
  dashboardHtml: () => Promise<string>;
  streamIntervalMs?: number;
  /** The longest report window, minutes (LOGPERF_MONITOR_REPORT_MAX_MINUTES; default 24 h). */
  reportMaxMinutes?: number;
  /** Live dashboard streams open at once; one more gets 429. */
  maxStreams?: number;
}

const MAX_STREAMS = 32;
/** A client that stops reading would have every frame kept for it: past this many bytes waiting, it is dropped. */
export const MAX_STREAM_BUFFER_BYTES = 1024 * 1024;

/** Writes a frame to a live stream, or ends a stream whose client has left MAX_STREAM_BUFFER_BYTES unread. */
export function sendFrame(
  stream: Pick<ServerResponse, 'writableLength' | 'write' | 'destroy'>,
  text: string,
  maxBufferedBytes = MAX_STREAM_BUFFER_BYTES,
): boolean {
  if (stream.writableLength > maxBufferedBytes) {
    stream.destroy();
    return false;
  }
  stream.write(text);
  return true;
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
  name: boundedText('name', 100).default(() => `baseline-${new Date().toISOString()}`),
  windowMinutes: z.number().int().min(1).max(1440).default(5),
});
const reportQuery = (maxMinutes: number) =>
  z.object({
    durationMinutes: numberFromText(
      z
        .number('durationMinutes must be a number')
        .int('durationMinutes must be a whole number')
        .gt(0, 'durationMinutes must be positive')
        .max(maxMinutes, `durationMinutes must be at most ${maxMinutes} (LOGPERF_MONITOR_REPORT_MAX_MINUTES)`),
    ).default(60),
    baseline: boundedText('baseline', 100).optional(),
  });
const registration = z.strictObject({
  url: z
    .url()
    .max(2048)
    .refine((u) => /^https?:/.test(u), 'url must be http(s)'),
});

export function buildMonitorApp(options: MonitorOptions): FastifyInstance {
  const { state, node } = options;
  const reportMaxMinutes = options.reportMaxMinutes ?? 1440;
  const app = createHttpApp({
    logger: options.logger,
    bodyLimitBytes: 1024 * 1024,
    apiToken: options.apiToken,
    allowedHosts: options.allowedHosts,
    routes: options.routes,
  });
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
    const { durationMinutes, baseline: name } = validate(reportQuery(reportMaxMinutes), request.query);
    const now = Date.now();
    const baseline = await options.history.baseline(name);
    if (name !== undefined && !baseline) throw new AppError('NOT_FOUND', `no baseline named '${name}'`);
    const rows = await options.minutes.reportRows(now - durationMinutes * 60_000, now);
    return { durationMinutes, ...buildReport(rows, now - durationMinutes * 60_000, now, baseline, state.thresholds) };
  });

  app.post('/api/performance/record', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const samples =
      query.component !== undefined || query.latencyMs !== undefined
        ? [validate(sample, query)]
        : normalise(validate(recordBody, request.body));
    state.windows.admit(samples.map((s) => s.component));
    const now = Date.now();
    for (const s of samples) state.windows.recordMs(s.component, s.latencyMs, now);
    return reply.status(202).send({ recorded: samples.length });
  });

  app.post('/api/performance/nodes', async (request, reply) => {
    const { url } = validate(registration, request.body);
    const { hostname, origin } = new URL(url);
    if (!options.registrableHosts.includes(hostname.replace(/^\[|\]$/g, '')))
      throw new AppError('VALIDATION_FAILED', `nodes may register only from ${options.registrableHosts.join(', ')}`, {
        details: [{ path: 'url', reason: 'host not allowed' }],
      });
    // Only the origin is kept: the monitor scrapes /api/node/stats there and nowhere else.
    state.scraper.register(origin);
    return reply.status(202).send({ registered: origin });
  });

  // One snapshot per interval, written to every open stream: its cost does not grow with the number of viewers.
  const streams = new Set<ServerResponse>();
  const intervalMs = options.streamIntervalMs ?? 1000;
  let frame: { atMs: number; text: string } | undefined;
  const currentFrame = () => {
    const now = Date.now();
    if (!frame || now - frame.atMs >= intervalMs / 2)
      frame = { atMs: now, text: `event: snapshot\ndata: ${JSON.stringify(state.snapshot(now))}\n\n` };
    return frame.text;
  };
  let ticker: NodeJS.Timeout | undefined;
  app.addHook('onClose', async () => {
    clearInterval(ticker);
    for (const stream of streams) stream.end();
  });

  app.get('/api/performance/stream', (_request, reply) => {
    const maxStreams = options.maxStreams ?? MAX_STREAMS;
    if (streams.size >= maxStreams)
      throw new AppError('OVERLOADED', `${streams.size} live streams open (limit ${maxStreams}); retry later`, {
        retryAfterSeconds: 5,
      });
    void reply.hijack();
    const stream = reply.raw;
    stream.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    stream.write(currentFrame());
    streams.add(stream);
    ticker ??= setInterval(() => {
      const text = currentFrame();
      for (const s of streams) sendFrame(s, text);
    }, intervalMs);
    stream.once('close', () => {
      streams.delete(stream);
      if (streams.size === 0) ticker = void clearInterval(ticker);
    });
  });
  return app;
}

function normalise(body: z.output<typeof recordBody>): z.output<typeof sample>[] {
  if (Array.isArray(body)) return body;
  return 'samples' in body ? body.samples : [body];
}
