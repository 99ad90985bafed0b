// The Fastify base every node shares: body limit, time limits, one error shape, Host/Origin/token access checks.
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { AppError, type ErrorCode } from '@logperf/core';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
} from 'fastify';
import type { Logger } from 'pino';
import { registerAccess, type AccessOptions } from './access.js';
import type { RouteRegistry } from './route-registry.js';

export interface HttpAppOptions extends AccessOptions {
  logger: Logger;
  bodyLimitBytes?: number;
  /** A handler that has not answered by then gets 503 (a hung backend must not hold the client forever). */
  handlerTimeoutMs?: number;
  /** Records this app and every route it registers (tests enumerate the routes a start-up really built). */
  routes?: RouteRegistry | undefined;
}

/** Whole request (headers and body) must arrive within this; a trickling client loses its socket, not ours. */
const REQUEST_TIMEOUT_MS = 30_000;
const HANDLER_TIMEOUT_MS = 60_000;

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHORIZED',
  404: 'NOT_FOUND',
  413: 'BODY_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};
const JSON_ERRORS = new Set(['FST_ERR_CTP_INVALID_JSON_BODY', 'FST_ERR_CTP_EMPTY_JSON_BODY']);

/** Requests Node's HTTP parser rejects (header overflow, bad bytes) never reach Fastify: answer them in our error shape too. */
function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
  const body = JSON.stringify(new AppError(status === 431 ? 'HEADERS_TOO_LARGE' : 'MALFORMED_REQUEST').toBody());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

/** PostgreSQL/PGlite errors (a SQLSTATE and severity) and lost connections: the backend's trouble, not the client's. */
function isDatabaseError(error: Error): boolean {
  const e = error as Error & { code?: unknown; severity?: unknown };
  if (typeof e.severity === 'string' && typeof e.code === 'string') return true;
  if (typeof e.code === 'string' && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EHOSTUNREACH)$/.test(e.code))
    return true;
  return /Connection terminated|timeout exceeded when trying to connect|Cannot use a pool after calling end|PGlite is closed/i.test(
    e.message,
  );
}

function toAppError(error: FastifyError | AppError | Error): AppError {
  if (error instanceof AppError) return error;
  if (isDatabaseError(error))
    return new AppError('BACKEND_UNAVAILABLE', `the database failed: ${error.message}`, {
      retryAfterSeconds: 1,
      cause: error,
    });
  const status = (error as FastifyError).statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    const code = JSON_ERRORS.has((error as FastifyError).code)
      ? 'INVALID_JSON'
      : (CODE_BY_STATUS[status] ?? 'VALIDATION_FAILED');
    return new AppError(code, error.message);
  }
  return new AppError('INTERNAL', 'Internal error', { cause: error });
}

export function createHttpApp(options: HttpAppOptions): FastifyInstance {
  const logger: FastifyBaseLogger = options.logger;
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: options.bodyLimitBytes ?? 1024 * 1024,
    requestTimeout: REQUEST_TIMEOUT_MS,
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    clientErrorHandler,
    // A URL Fastify cannot decode (`/%`, `/%ff`) is refused before routing, outside the error handler.
    frameworkErrors: (error, _request, reply) => {
      void (reply as unknown as FastifyReply)
        .status(400)
        .send(new AppError('MALFORMED_REQUEST', `The URL cannot be decoded: ${error.message}`).toBody());
    },
  });
  options.routes?.record(app);

  // Bodies are JSON or NDJSON only; a text/plain body is an unsupported type, not a string to validate.
  app.removeContentTypeParser('text/plain');

  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    const appError = toAppError(error);
    if (appError.status >= 500 && appError.code !== 'SERVER_BUSY' && appError.code !== 'OVERLOADED')
      request.log.error({ err: error }, 'request failed');
    if (appError.retryAfterSeconds !== undefined) void reply.header('retry-after', String(appError.retryAfterSeconds));
    return reply.status(appError.status).send(appError.toBody());
  });

  app.setNotFoundHandler((request, reply) =>
    reply
      .status(404)
      .send(new AppError('NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0] ?? ''}`).toBody()),
  );

  registerAccess(app, options);
  const handlerTimeoutMs = options.handlerTimeoutMs ?? HANDLER_TIMEOUT_MS;
  app.addHook('onRequest', async (request, reply) => {
    const timer = setTimeout(() => {
      if (reply.sent || reply.raw.headersSent) return; // answered, or a hijacked stream
      request.log.warn({ url: request.url }, 'handler timed out');
      void reply
        .status(503)
        .header('retry-after', '1')
        .send(new AppError('SERVER_BUSY', `no answer within ${handlerTimeoutMs} ms`).toBody());
    }, handlerTimeoutMs);
    reply.raw.once('close', () => clearTimeout(timer));
  });
  return app;
}
