// Admission control: refuses work before its body is read when the event loop is behind or too many requests are in progress.
// Without it an overloaded node accepts everything into its socket and parser queues, and every accepted request waits longer.
import { performance } from 'node:perf_hooks';
import { AppError } from '@logperf/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';

export interface AdmissionOptions {
  /** Event-loop delay above which new requests get 503 (the loop is behind: accepting more only lengthens every wait). */
  maxEventLoopDelayMs?: number;
  /** Requests being handled at once; past it new requests get 429. */
  maxConcurrentRequests?: number;
  retryAfterSeconds?: number;
  /** Which requests are subject to admission (default: all but GET/HEAD, so /health and /metrics still answer under overload). */
  appliesTo?: (request: FastifyRequest) => boolean;
}

export interface AdmissionState {
  /** Current event-loop delay estimate, ms. */
  eventLoopDelayMs(): number;
  inProgress(): number;
  refused(): { busy: number; tooMany: number };
}

const TICK_MS = 10;

export function registerAdmission(app: FastifyInstance, options: AdmissionOptions = {}): AdmissionState {
  const maxDelayMs = options.maxEventLoopDelayMs ?? 1000;
  const maxConcurrent = options.maxConcurrentRequests ?? 1024;
  const retryAfterSeconds = options.retryAfterSeconds ?? 1;
  const appliesTo =
    options.appliesTo ?? ((request: FastifyRequest) => request.method !== 'GET' && request.method !== 'HEAD');
  let lastTickAt = performance.now();
  let lastDelayMs = 0;
  let previousDelayMs = 0;
  let inProgress = 0;
  const refused = { busy: 0, tooMany: 0 };
  const ticker = setInterval(() => {
    const now = performance.now();
    previousDelayMs = lastDelayMs;
    lastDelayMs = Math.max(0, now - lastTickAt - TICK_MS);
    lastTickAt = now;
  }, TICK_MS).unref();
  /**
   * The loop is behind when two readings in a row say so: the last two ticks, or the last tick and how overdue the
   * current one is (a loop busy with a backlog of requests has not ticked yet). One long pause alone (start-up, one
   * large GC) is over by the time a request sees it and refuses nothing.
   */
  const delayMs = () => {
    const overdueMs = Math.max(0, performance.now() - lastTickAt - TICK_MS);
    return Math.max(Math.min(previousDelayMs, lastDelayMs), Math.min(lastDelayMs, overdueMs));
  };

  app.addHook('onRequest', async (request, reply) => {
    if (!appliesTo(request)) return;
    if (delayMs() > maxDelayMs) {
      refused.busy++;
      throw new AppError(
        'SERVER_BUSY',
        `event loop ${Math.round(delayMs())} ms behind (limit ${maxDelayMs} ms); retry later`,
        { retryAfterSeconds },
      );
    }
    if (inProgress >= maxConcurrent) {
      refused.tooMany++;
      throw new AppError('OVERLOADED', `${inProgress} requests in progress (limit ${maxConcurrent}); retry later`, {
        retryAfterSeconds,
      });
    }
    inProgress++;
    reply.raw.once('close', () => inProgress--);
  });
  app.addHook('onClose', async () => {
    clearInterval(ticker);
  });
  return { eventLoopDelayMs: delayMs, inProgress: () => inProgress, refused: () => ({ ...refused }) };
}
