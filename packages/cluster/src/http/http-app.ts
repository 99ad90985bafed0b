// The Fastify base every node shares: body limit, one error shape, bearer-token guard on mutating routes.
import { createHash, timingSafeEqual } from 'node:crypto';
import { AppError, type ErrorCode } from '@logperf/core';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';

export interface HttpAppOptions {
  logger: Logger;
  bodyLimitBytes?: number;
  /** When set, every non-GET route requires `Authorization: Bearer <token>`. */
  apiToken?: string | undefined;
}

const CODE_BY_STATUS: Record<number, ErrorCode> = { 400: 'VALIDATION_FAILED', 401: 'UNAUTHORIZED', 404: 'NOT_FOUND', 413: 'BODY_TOO_LARGE', 415: 'UNSUPPORTED_MEDIA_TYPE' };
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const JSON_ERRORS = new Set(['FST_ERR_CTP_INVALID_JSON_BODY', 'FST_ERR_CTP_EMPTY_JSON_BODY']);

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Compares digests so the time taken says nothing about the token's length or content. */
export function tokenMatches(header: string | undefined, token: string): boolean {
  const presented = header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
  return timingSafeEqual(digest(presented), digest(token));
}

function toAppError(error: FastifyError | AppError | Error): AppError {
  if (error instanceof AppError) return error;
  const status = (error as FastifyError).statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    const code = JSON_ERRORS.has((error as FastifyError).code) ? 'INVALID_JSON' : (CODE_BY_STATUS[status] ?? 'VALIDATION_FAILED');
    return new AppError(code, error.message);
  }
  return new AppError('INTERNAL', 'Internal error', { cause: error });
}

export function createHttpApp(options: HttpAppOptions): FastifyInstance {
  const logger: FastifyBaseLogger = options.logger;
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: options.bodyLimitBytes ?? 1024 * 1024,
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
  });

  // Bodies are JSON or NDJSON only; a text/plain body is an unsupported type, not a string to validate.
  app.removeContentTypeParser('text/plain');

  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    const appError = toAppError(error);
    if (appError.status >= 500 && appError.code === 'INTERNAL') request.log.error({ err: error }, 'request failed');
    if (appError.retryAfterSeconds !== undefined) void reply.header('retry-after', String(appError.retryAfterSeconds));
    return reply.status(appError.status).send(appError.toBody());
  });

  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send(new AppError('NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0] ?? ''}`).toBody()),
  );

  const token = options.apiToken;
  if (token !== undefined) {
    app.addHook('onRequest', async (request) => {
      if (SAFE_METHODS.has(request.method)) return;
      if (!tokenMatches(request.headers.authorization, token)) throw new AppError('UNAUTHORIZED');
      await Promise.resolve();
    });
  }
  return app;
}
