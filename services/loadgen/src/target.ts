// Where a load test sends its events: the gateway over HTTP (undici, keep-alive) or the bus directly.
import { AppError, encodeBusRecord, withTimeout } from '@logperf/core';
import type { Bus } from '@logperf/cluster';
import { Pool, errors as undiciErrors } from 'undici';

/** 'ack', or the kind of error: http_503, timeout, connection, overloaded, … */
export type SendResult = string;

/** Sends one batch of serialised events and says how it went. */
export interface Target {
  readonly description: string;
  send(events: readonly string[]): Promise<SendResult>;
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

export function httpTarget(url: URL, options: { connections: number; timeoutMs: number }): Target {
  const pool = new Pool(url.origin, {
    connections: options.connections,
    pipelining: 1,
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    connectTimeout: Math.min(options.timeoutMs, 5000),
  });
  const path = url.pathname === '/' ? '/api/logs' : url.pathname;
  return {
    description: `${url.origin}${path}`,
    async send(events) {
      try {
        const res = await pool.request({
          method: 'POST',
          path,
          body: events.join('\n'),
          headers: { 'content-type': 'application/x-ndjson' },
          signal: AbortSignal.timeout(options.timeoutMs),
        });
        await res.body.dump();
        return res.statusCode === 202 || res.statusCode === 200 ? 'ack' : `http_${res.statusCode}`;
      } catch (error) {
        return errorKind(error);
      }
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
