// Errors a loop survives on purpose (a retried store write, a failed lag read) are still counted: each kind is logged the
// first time, then counted, and the counts are shown on /health and /api/node/stats, so a retry storm is visible.
import type { Logger } from 'pino';
import { createLogger } from './logger.js';

export interface SwallowedError {
  count: number;
  lastMessage: string;
  firstAtMs: number;
  lastAtMs: number;
}

const tally = new Map<string, SwallowedError>();
let logger: Logger | undefined;

/** Counts `error` under `kind` (e.g. `memory-bus.handler`); logs it once per kind per process. */
export function recordSwallowedError(kind: string, error: unknown, nowMs = Date.now()): void {
  const message = error instanceof Error ? error.message : String(error);
  const known = tally.get(kind);
  if (known) {
    known.count++;
    known.lastMessage = message;
    known.lastAtMs = nowMs;
    return;
  }
  tally.set(kind, { count: 1, lastMessage: message, firstAtMs: nowMs, lastAtMs: nowMs });
  logger ??= createLogger('logperf', process.env.LOGPERF_LOG_LEVEL ?? 'warn');
  logger.warn(
    { kind, err: error },
    `${kind} failed and will be retried; further failures of this kind are only counted`,
  );
}

/** Every kind counted so far in this process. */
export function swallowedErrors(): Record<string, SwallowedError> {
  return Object.fromEntries([...tally].map(([kind, e]) => [kind, { ...e }]));
}
