// Gateway :8090 — validates events and answers 202 only after the bus acknowledged them; overload → 429/503.
import {
  AppError,
  encodeBusRecord,
  TEST_ID_HEADER,
  testIdSchema,
  validateEvents,
  withTimeout,
  type LogEvent,
} from '@logperf/core';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Bus } from '../backends/bus/bus.js';
import { registerAdmission, type AdmissionOptions } from './admission.js';
import { createHttpApp, registerNodeRoutes, type NodeRuntime, type RouteRegistry } from '@logperf/platform';
import { registerNdjsonParser, toEventList } from './parse-body.js';

export interface GatewayOptions {
  bus: Bus;
  node: NodeRuntime;
  logger: Logger;
  apiToken?: string | undefined;
  allowedHosts?: readonly string[] | undefined;
  /** Records the app and its routes (tests enumerate every route from it). */
  routes?: RouteRegistry | undefined;
  bodyLimitBytes?: number;
  maxEventsPerRequest?: number;
  /** Events awaiting a bus acknowledgement; past it new requests get 429. */
  maxInFlightEvents?: number;
  /** A produce slower than this answers 503 (the client retries; ids make retries idempotent). */
  produceTimeoutMs?: number;
  /** Sheds ingest requests (503/429 + Retry-After) before reading them while the event loop is behind. */
  admission?: AdmissionOptions;
  /** Why the store in this process cannot write (logperf up: its disk is full), or null: ingest answers 503 meanwhile. */
  storeFailure?: () => string | null;
}

export function buildGatewayApp(options: GatewayOptions): FastifyInstance {
  const { bus, node } = options;
  const maxEvents = options.maxEventsPerRequest ?? 10_000;
  const maxInFlight = options.maxInFlightEvents ?? 100_000;
  const produceTimeoutMs = options.produceTimeoutMs ?? 10_000;
  let inFlightEvents = 0;

  const app = createHttpApp({
    logger: options.logger,
    bodyLimitBytes: options.bodyLimitBytes ?? 5 * 1024 * 1024,
    apiToken: options.apiToken,
    allowedHosts: options.allowedHosts,
    routes: options.routes,
  });
  // A few dozen ingest requests in progress already keep both cores busy; admitting more only slows every one of them.
  // 64 matches the load generator's in-flight window, so a generator alone never trips it while the gateway keeps up.
  registerAdmission(app, {
    maxConcurrentRequests: 64,
    ...options.admission,
    appliesTo: (request) => request.method === 'POST',
  });
  // Accepting events that cannot be stored only grows the bus's backlog: refuse them, before the body is read.
  app.addHook('onRequest', async (request) => {
    const failure = request.method === 'POST' ? options.storeFailure?.() : null;
    if (failure)
      throw new AppError('BACKEND_UNAVAILABLE', `the store cannot write: ${failure}`, { retryAfterSeconds: 5 });
    await Promise.resolve();
  });
  registerNdjsonParser(app);
  registerNodeRoutes(app, node, { checks: { bus: () => bus.health() } });

  app.post('/api/logs', async (request, reply) => {
    const receivedAt = performance.now();
    const testId = readTestId(request.headers[TEST_ID_HEADER]);
    const { items, lines } = toEventList(request.body, maxEvents);
    const { events, issues } = validateEvents(items);
    if (issues.length > 0) {
      throw new AppError(
        'VALIDATION_FAILED',
        `${new Set(issues.map((i) => i.index)).size} invalid event(s); nothing was accepted`,
        { details: issues },
      );
    }
    if (inFlightEvents + events.length > maxInFlight) {
      throw new AppError('OVERLOADED', `${inFlightEvents} events await the bus; retry later`, { retryAfterSeconds: 1 });
    }
    inFlightEvents += events.length;
    const produceStart = performance.now();
    try {
      await withTimeout(
        node.telemetry.waits.around('bus', () => bus.produce(toBusRecords(events, items, lines, testId))),
        produceTimeoutMs,
        () =>
          new AppError('BACKEND_UNAVAILABLE', `bus did not acknowledge within ${produceTimeoutMs} ms`, {
            retryAfterSeconds: 1,
          }),
      );
    } catch (error) {
      request.log.warn({ err: error, events: events.length }, 'bus did not acknowledge; answering 503');
      if (error instanceof AppError) throw error;
      throw new AppError('BACKEND_UNAVAILABLE', `bus rejected the events: ${(error as Error).message}`, {
        retryAfterSeconds: 1,
        cause: error,
      });
    } finally {
      inFlightEvents -= events.length;
    }
    const doneAt = performance.now();
    node.telemetry.recordLatency('kafka-produce', doneAt - produceStart);
    node.telemetry.recordLatency('api-gateway', doneAt - receivedAt);
    node.telemetry.countEvents('accepted', events.length);
    return reply.status(202).send({ accepted: events.length });
  });

  return app;
}

/** Absent → no test; present → must be a valid test id (400 otherwise), so it can key per-test figures downstream. */
function readTestId(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  const parsed = testIdSchema.safeParse(header);
  if (!parsed.success) {
    throw new AppError('VALIDATION_FAILED', `${TEST_ID_HEADER}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/**
 * One record per event, key = id. An NDJSON line whose timestamp is already epoch ms goes on the bus as received;
 * only ISO timestamps (and JSON bodies, whose text Fastify does not keep) are re-serialised from the validated event.
 */
function toBusRecords(events: readonly LogEvent[], items: unknown[], lines: string[] | undefined, testId?: string) {
  const meta = { acceptedAt: Date.now(), testId };
  return events.map((event, i) => {
    const line = lines?.[i];
    const asReceived = line !== undefined && typeof (items[i] as { timestamp?: unknown }).timestamp === 'number';
    return { key: event.id, value: encodeBusRecord(asReceived ? line : JSON.stringify(event), meta) };
  });
}
