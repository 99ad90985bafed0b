// Where a load test sends its events: the gateway over HTTP (undici, keep-alive) or the bus directly.
import { AppError, encodeBusRecord, withTimeout } from '@logperf/core';
import { createBus, type Bus } from '@logperf/cluster';
import { Pool, errors as undiciErrors, type Dispatcher } from 'undici';

/** A target as plain data: what a generator thread (or a remote worker) opens for itself. */
export type TargetSpec =
  | { kind: 'http'; url: string; connections: number; timeoutMs: number; testId: string; apiToken?: string }
  | { kind: 'kafka'; bus: Parameters<typeof createBus>[0]; timeoutMs: number };

export async function openTarget(spec: TargetSpec): Promise<Target> {
  if (spec.kind === 'http') return httpTarget(new URL(spec.url), spec);
  return busTarget(await createBus(spec.bus), spec);
}

/** 'ack', or the kind of error: http_503, timeout, connection, overloaded, … */
export type SendResult = string;

/** Sends one batch of serialised events and says how it went. */
export interface Target {
  readonly description: string;
  send(events: readonly string[]): Promise<SendResult>;
  /** Opens what sending needs (connections, parsers) before the schedule starts, so its first second is not a warm-up. */
  warm?(): Promise<void>;
  close(): Promise<void>;
}

/** Only origins on the allowlist may be targets; checked before any connection is made. */
export function checkAllowed(url: string, allowedOrigins: readonly string[]): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AppError('VALIDATION_FAILED', `target '${url}' is not a URL`, {
      details: [{ path: 'target', reason: 'not a URL' }],
    });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new AppError('VALIDATION_FAILED', `target must be http(s) or 'kafka', got '${parsed.protocol}'`, {
      details: [{ path: 'target', reason: 'protocol' }],
    });
  }
  if (!allowedOrigins.includes(parsed.origin)) {
    throw new AppError(
      'VALIDATION_FAILED',
      `target origin ${parsed.origin} is not on the allowlist (LOGPERF_LOADGEN_ALLOWED_TARGETS: ${allowedOrigins.join(', ')})`,
      {
        details: [{ path: 'target', reason: 'not allowed' }],
      },
    );
  }
  return parsed;
}

function errorKind(error: unknown): string {
  if (
    error instanceof undiciErrors.HeadersTimeoutError ||
    error instanceof undiciErrors.BodyTimeoutError ||
    error instanceof undiciErrors.ConnectTimeoutError
  )
    return 'timeout';
  const code = (error as { code?: string }).code ?? '';
  if (code === 'UND_ERR_ABORTED' || (error as Error).name === 'AbortError' || (error as Error).name === 'TimeoutError')
    return 'timeout';
  if (
    /ECONNREFUSED|ECONNRESET|EPIPE|UND_ERR_SOCKET|UND_ERR_CLOSED|ENOTFOUND/.test(
      code + String((error as Error).message),
    )
  )
    return 'connection';
  return 'other';
}

/**
 * Test id on every request (`x-logperf-test-id`), so the cluster can attribute the events to the test; the generator's
 * own token opens the gateway too (one token per deployment): without it every batch would be a 401.
 */
export function httpTarget(
  url: URL,
  options: { connections: number; timeoutMs: number; testId?: string; apiToken?: string | undefined },
): Target {
  const pool = new Pool(url.origin, {
    connections: options.connections,
    pipelining: 1,
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    connectTimeout: Math.min(options.timeoutMs, 5000),
  });
  // The pool's header and body timeouts bound every request; no timer per request.
  const path = url.pathname === '/' ? '/api/logs' : url.pathname;
  const headers = {
    'content-type': 'application/x-ndjson',
    ...(options.testId ? { 'x-logperf-test-id': options.testId } : {}),
    ...(options.apiToken === undefined ? {} : { authorization: `Bearer ${options.apiToken}` }),
  };
  return {
    description: `${url.origin}${path}`,
    // dispatch with a handler, not request(): no response stream to build and drain for each request.
    send(events) {
      return new Promise<SendResult>((resolve) => {
        let statusCode = 0;
        const handler: Dispatcher.DispatchHandler = {
          // The pool takes the callback form of a handler (the controller form is for interceptors).
          onConnect: () => undefined,
          onHeaders: (status) => ((statusCode = status), true),
          onData: () => true,
          onComplete: () => resolve(statusCode === 202 || statusCode === 200 ? 'ack' : `http_${statusCode}`),
          onError: (error) => resolve(errorKind(error)),
        };
        try {
          pool.dispatch(
            { method: 'POST', path, body: events.length === 1 ? events[0] : events.join('\n'), headers },
            handler,
          );
        } catch (error) {
          resolve(errorKind(error));
        }
      });
    },
    // One GET /health per connection, all at once: every connection opened (and its parser ready) ahead; no events.
    async warm() {
      const get = () =>
        pool
          .request({ method: 'GET', path: '/health' })
          .then((res) => res.body.dump())
          .catch(() => undefined);
      await Promise.all(Array.from({ length: options.connections }, get));
    },
    close: () => pool.close(),
  };
}

/** Straight onto the bus, as the gateway would put it there (stamped acceptedAt), to measure the cluster without the gateway. */
export function busTarget(bus: Bus, options: { timeoutMs: number }): Target {
  return {
    description: `${bus.kind} bus topic ${bus.topic}`,
    async send(events) {
      const meta = { acceptedAt: Date.now() };
      const records = events.map((json) => {
        const event = JSON.parse(json) as { id: string };
        return { key: event.id, value: encodeBusRecord(json, meta) };
      });
      try {
        await withTimeout(
          bus.produce(records),
          options.timeoutMs,
          () => new AppError('BACKEND_UNAVAILABLE', 'timeout'),
        );
        return 'ack';
      } catch (error) {
        if (error instanceof AppError)
          return error.code === 'OVERLOADED'
            ? 'overloaded'
            : error.message === 'timeout'
              ? 'timeout'
              : 'bus_unavailable';
        return 'bus_error';
      }
    },
    close: () => bus.close(),
  };
}
