// A small open-loop HTTP driver for the overload test: batches at their intended times, every answer timed from the
// intended time (wrk2), status and Retry-After kept per answer. Bodies are prepared ahead so the driver stays cheap.
import { randomUUID } from 'node:crypto';
import { LatencyHistogram, sleep } from '@logperf/core';
import { Pool } from 'undici';

export interface Answer {
  status: number | string;
  retryAfter: string | undefined;
  /** Completion − intended send time. */
  latencyMs: number;
  /** Completion − actual send time. */
  serviceTimeMs: number;
  intendedMs: number;
}

export interface OpenLoopResult {
  answers: Answer[];
  /** Batches that could not start because every connection was busy (the driver's own limit). */
  notSent: number;
  elapsedMs: number;
}

export function ndjsonBodies(count: number, batchSize: number): string[] {
  const now = Date.now();
  return Array.from({ length: count }, (_, b) =>
    Array.from({ length: batchSize }, (_, i) =>
      JSON.stringify({
        id: randomUUID(),
        level: 'INFO',
        message: `overload ${b}.${i} ${'x'.repeat(100)}`,
        source: `overload-${i % 8}`,
        timestamp: now,
      }),
    ).join('\n'),
  );
}

export async function openLoop(options: {
  url: string;
  batchesPerSecond: number;
  durationMs: number;
  bodies: readonly string[];
  connections: number;
  timeoutMs?: number;
}): Promise<OpenLoopResult> {
  const pool = new Pool(options.url, { connections: options.connections, pipelining: 1 });
  // Opens every connection first, so connection set-up is not counted as the server's latency.
  await Promise.all(
    Array.from({ length: options.connections }, async () =>
      (await pool.request({ method: 'GET', path: '/health' })).body.dump(),
    ),
  );
  const intervalMs = 1000 / options.batchesPerSecond;
  const total = Math.floor(options.durationMs / intervalMs);
  const answers: Answer[] = [];
  const pending = new Set<Promise<void>>();
  let notSent = 0;
  let inFlight = 0;
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const intendedMs = i * intervalMs;
    const wait = start + intendedMs - performance.now();
    if (wait > 1) await sleep(wait);
    if (inFlight >= options.connections) {
      notSent++;
      continue;
    }
    inFlight++;
    const sentMs = performance.now() - start;
    const body = options.bodies[i % options.bodies.length]!;
    const request = pool
      .request({
        method: 'POST',
        path: '/api/logs',
        body,
        headers: { 'content-type': 'application/x-ndjson' },
        headersTimeout: options.timeoutMs ?? 15_000,
        bodyTimeout: options.timeoutMs ?? 15_000,
      })
      .then(async (res) => {
        await res.body.dump();
        const retryAfter = res.headers['retry-after'];
        const doneMs = performance.now() - start;
        answers.push({
          status: res.statusCode,
          retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined,
          latencyMs: doneMs - intendedMs,
          serviceTimeMs: doneMs - sentMs,
          intendedMs,
        });
      })
      .catch((error: unknown) => {
        const doneMs = performance.now() - start;
        answers.push({
          status: (error as { code?: string }).code ?? 'error',
          retryAfter: undefined,
          latencyMs: doneMs - intendedMs,
          serviceTimeMs: doneMs - sentMs,
          intendedMs,
        });
      })
      .finally(() => {
        inFlight--;
        pending.delete(request);
      });
    pending.add(request);
  }
  await Promise.all(pending);
  await pool.close();
  return { answers, notSent, elapsedMs: performance.now() - start };
}

export function latencyOf(answers: readonly Answer[]): ReturnType<LatencyHistogram['summary']> {
  const histogram = LatencyHistogram.create();
  for (const a of answers) histogram.recordMs(Math.max(0.001, a.latencyMs));
  return histogram.summary();
}

export function countByStatus(answers: readonly Answer[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const a of answers) counts[String(a.status)] = (counts[String(a.status)] ?? 0) + 1;
  return counts;
}
