// An open-loop NDJSON sender for benches: batch i is due at start + i·interval, and both its latency and its events'
// timestamps come from that schedule (not from the actual send), so waiting at the in-flight cap is counted, never hidden.
import { randomUUID } from 'node:crypto';
import { LatencyHistogram, sleep } from '@logperf/core';
import { Pool } from 'undici';

export interface SendOptions {
  gateway: string;
  ratePerSecond: number;
  seconds: number;
  batch: number;
  maxInFlight?: number;
  testId?: string;
}

export interface SendResult {
  intended: number;
  acknowledged: number;
  refusedByStatus: Record<string, number>;
  /** Batches sent more than 10 ms after their scheduled time (the sender or the in-flight cap held them). */
  lateBatches: number;
  sendSeconds: number;
  /** Completion − scheduled time. */
  corrected: LatencyHistogram;
  /** Completion − actual send. */
  service: LatencyHistogram;
}

const MESSAGE_PAD = 'x'.repeat(120);

/** One NDJSON line per event; only the id and the scheduled timestamp change, so no object graph is stringified. */
function body(batchIndex: number, size: number, timestampMs: number): string {
  let text = '';
  for (let j = 0; j < size; j++) {
    text += `{"id":"${randomUUID()}","level":"INFO","message":"bench event ${batchIndex}.${j} ${MESSAGE_PAD}","source":"bench-${j % 8}","timestamp":${timestampMs}}\n`;
  }
  return text;
}

export async function sendOpenLoop(options: SendOptions): Promise<SendResult> {
  const { ratePerSecond, seconds, batch } = options;
  const maxInFlight = options.maxInFlight ?? 64;
  const http = new Pool(options.gateway, { connections: Math.min(maxInFlight, 16), pipelining: 1 });
  const headers: Record<string, string> = { 'content-type': 'application/x-ndjson' };
  if (options.testId) headers['x-logperf-test-id'] = options.testId;
  const totalBatches = Math.ceil((ratePerSecond * seconds) / batch);
  const intervalMs = (batch / ratePerSecond) * 1000;
  const result: SendResult = {
    intended: totalBatches * batch,
    acknowledged: 0,
    refusedByStatus: {},
    lateBatches: 0,
    sendSeconds: 0,
    corrected: LatencyHistogram.create(),
    service: LatencyHistogram.create(),
  };
  let inFlight = 0;
  let freed: (() => void) | undefined;
  const startMono = performance.now();
  const startEpochMs = Date.now();
  const sends: Promise<void>[] = [];

  for (let i = 0; i < totalBatches; i++) {
    const offsetMs = i * intervalMs;
    const wait = startMono + offsetMs - performance.now();
    if (wait > 0) await sleep(wait);
    while (inFlight >= maxInFlight) await new Promise<void>((resolve) => (freed = resolve));
    if (performance.now() - (startMono + offsetMs) > 10) result.lateBatches++;
    inFlight++;
    const scheduledAt = startMono + offsetMs;
    const sentAt = performance.now();
    sends.push(
      http
        .request({
          method: 'POST',
          path: '/api/logs',
          body: body(i, batch, Math.round(startEpochMs + offsetMs)),
          headers,
        })
        .then(async (res) => {
          await res.body.text();
          const doneAt = performance.now();
          if (res.statusCode === 202) result.acknowledged += batch;
          else result.refusedByStatus[res.statusCode] = (result.refusedByStatus[res.statusCode] ?? 0) + batch;
          result.corrected.recordMs(doneAt - scheduledAt);
          result.service.recordMs(doneAt - sentAt);
        })
        .catch(() => {
          result.refusedByStatus.network = (result.refusedByStatus.network ?? 0) + batch;
        })
        .finally(() => {
          inFlight--;
          freed?.();
          freed = undefined;
        }),
    );
  }
  await Promise.all(sends);
  result.sendSeconds = (performance.now() - startMono) / 1000;
  await http.close();
  return result;
}
