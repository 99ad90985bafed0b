// One error type for every service, with a catalogue of codes → HTTP status and meaning.
export const ERROR_CATALOGUE = {
  VALIDATION_FAILED: { status: 400, message: 'The request is invalid' },
  INVALID_JSON: { status: 400, message: 'The body is not valid JSON' },
  UNAUTHORIZED: { status: 401, message: 'A valid bearer token is required' },
  FORBIDDEN: { status: 403, message: 'The request comes from a host or origin this service does not serve' },
  NOT_FOUND: { status: 404, message: 'No such resource' },
  CONFLICT: { status: 409, message: 'The resource is busy' },
  BODY_TOO_LARGE: { status: 413, message: 'The body is too large' },
  TOO_MANY_EVENTS: { status: 413, message: 'Too many events in one request' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Unsupported content type' },
  HEADERS_TOO_LARGE: { status: 431, message: 'The request line or headers are too large' },
  MALFORMED_REQUEST: { status: 400, message: 'The request is not valid HTTP' },
  UNPROCESSABLE: { status: 422, message: 'The request cannot be processed' },
  OVERLOADED: { status: 429, message: 'Too many requests in flight; retry later' },
  BACKEND_UNAVAILABLE: { status: 503, message: 'A backend is unavailable; retry later' },
  SERVER_BUSY: { status: 503, message: 'The server is busy; retry later' },
  INVALID_CONFIG: { status: 500, message: 'The configuration is invalid' },
  INTERNAL: { status: 500, message: 'Internal error' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: unknown;
  /** Seconds a client should wait before retrying (sent as Retry-After on 429/503). */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    code: ErrorCode,
    message?: string,
    options: { details?: unknown; retryAfterSeconds?: number; cause?: unknown } = {},
  ) {
    super(message ?? ERROR_CATALOGUE[code].message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_CATALOGUE[code].status;
    this.details = options.details;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  toBody(): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details === undefined ? {} : { details: this.details }),
      },
    };
  }
}
