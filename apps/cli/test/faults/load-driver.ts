// An open-loop sender for fault tests that remembers every id the gateway acknowledged: batches go out on a fixed
// schedule; a 429/503 or a broken connection is retried with the same ids (writes are idempotent by id) until a deadline,
// after which the batch is reported as failed, never as delivered.
import { randomUUID } from 'node:crypto';
import { Pool } from 'undici';
import { sleep } from '@logperf/core';

export interface LoadOptions {
  gatewayUrl: string;
  ratePerSecond: number;
  durationMs: number;
  batchSize: number;
  source: string;
  /** Batches awaiting an answer at most; beyond it the schedule waits. */
  maxInFlight?: number;
  /** A batch not acknowledged this long after its first attempt is given up. */
  giveUpAfterMs?: number;
}

export interface LoadResult {
  /** Events generated and sent at least once. */
  sent: number;
  acknowledged: string[];
  /** Ids of batches never acknowledged (reported as errors; they may or may not be stored). */
  failed: string[];
  requests: number;
  /** Answers by status ('202', '503', 'connection', …). */
  answers: Record<string, number>;
  /** 429/503 answers without a Retry-After header (the contract says there is none). */
  missingRetryAfter: number;
  /** Per second since the start: answers by status. */
  timeline: { second: number; answers: Record<string, number> }[];
  durationMs: number;
}

export class LoadDriver {
  readonly acknowledged: string[] = [];
  private readonly failed: string[] = [];
  private readonly answers: Record<string, number> = {};
  private readonly perSecond = new Map<number, Record<string, number>>();
  private sent = 0;
  private requests = 0;
  private missingRetryAfter = 0;
  private stopped = false;
  private readonly pool: Pool;
  private readonly startedAt = Date.now();

  constructor(private readonly options: LoadOptions) {
    this.pool = new Pool(options.gatewayUrl, {
      connections: 16,
      headersTimeout: 15_000,
      bodyTimeout: 15_000,
      connectTimeout: 2000,
    });
  }

  /** Runs the schedule to its end (or until stop()), then waits for every batch to be acknowledged or given up. */
  async run(): Promise<LoadResult> {
    const { ratePerSecond, durationMs, batchSize, maxInFlight = 64 } = this.options;
    const batches = Math.floor((ratePerSecond * durationMs) / 1000 / batchSize);
    const intervalMs = (1000 * batchSize) / ratePerSecond;
    const pending = new Set<Promise<void>>();
    for (let i = 0; i < batches && !this.stopped; i++) {
      const dueAt = this.startedAt + i * intervalMs;
      if (dueAt > Date.now()) await sleep(dueAt - Date.now());
      while (pending.size >= maxInFlight) await Promise.race(pending);
      const task = this.sendBatch(Array.from({ length: batchSize }, () => randomUUID())).finally(() =>
        pending.delete(task),
      );
      pending.add(task);
    }
    await Promise.all(pending);
    await this.pool.close();
    return this.result();
  }

  stop(): void {
    this.stopped = true;
  }

  result(): LoadResult {
    const timeline = [...this.perSecond.entries()]
      .sort(([a], [b]) => a - b)
      .map(([second, answers]) => ({ second, answers }));
    return {
      sent: this.sent,
      acknowledged: [...this.acknowledged],
      failed: [...this.failed],
      requests: this.requests,
      answers: { ...this.answers },
      missingRetryAfter: this.missingRetryAfter,
      timeline,
      durationMs: Date.now() - this.startedAt,
    };
  }

  private note(answer: string): void {
    this.answers[answer] = (this.answers[answer] ?? 0) + 1;
    const second = Math.floor((Date.now() - this.startedAt) / 1000);
    const bucket = this.perSecond.get(second) ?? {};
    bucket[answer] = (bucket[answer] ?? 0) + 1;
    this.perSecond.set(second, bucket);
  }

  private async sendBatch(ids: string[]): Promise<void> {
    const { source, giveUpAfterMs = 60_000 } = this.options;
    const now = Date.now();
    const body = ids
      .map((id, i) => JSON.stringify({ id, level: 'INFO', message: `fault test event ${i}`, source, timestamp: now }))
      .join('\n');
    this.sent += ids.length;
    const firstAttempt = Date.now();
    while (Date.now() - firstAttempt < giveUpAfterMs) {
      this.requests++;
      let waitMs = 250;
      try {
        const res = await this.pool.request({
          method: 'POST',
          path: '/api/logs',
          body,
          headers: { 'content-type': 'application/x-ndjson' },
        });
        await res.body.dump();
        this.note(String(res.statusCode));
        if (res.statusCode === 202) {
          this.acknowledged.push(...ids);
          return;
        }
        if (res.statusCode !== 429 && res.statusCode !== 503) break; // not retryable: report it
        const retryAfter = Number(res.headers['retry-after']);
        if (!Number.isFinite(retryAfter)) this.missingRetryAfter++;
        else waitMs = Math.min(1000, retryAfter * 1000);
      } catch (error) {
        this.note(
          /timeout/i.test(String((error as Error).name) + String((error as Error).message)) ? 'timeout' : 'connection',
        );
      }
      await sleep(waitMs);
    }
    this.failed.push(...ids);
  }
}
