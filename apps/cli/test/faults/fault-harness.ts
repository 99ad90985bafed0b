// What every fault test shares: a private topic, group and table per test, roles started as `logperf` processes,
// the stored-row count sampled during the fault, and the final exactly-once count of acknowledged ids.
import pg from 'pg';
import { startCli, type CliProcess } from '../cli-process.js';
import type { LoadResult } from './load-driver.js';
import { sleep } from '@logperf/core';

export interface FaultEnv extends Record<string, string> {
  LOGPERF_KAFKA_TOPIC: string;
  LOGPERF_PROCESSOR_GROUP: string;
  LOGPERF_STORE_TABLE: string;
}

export function faultEnv(name: string, overrides: Record<string, string> = {}): FaultEnv {
  const suffix = `${name}_${Date.now()}_${process.pid}`;
  return {
    LOGPERF_KAFKA_TOPIC: `log-events-${suffix}`.replace(/_/g, '-'),
    LOGPERF_PROCESSOR_GROUP: `log-processors-${suffix}`,
    LOGPERF_STORE_TABLE: `log_events_${suffix}`.replace(/-/g, '_'),
    LOGPERF_LOG_LEVEL: 'warn',
    ...overrides,
  };
}

export const startProcessor = (env: Record<string, string>, port = 0) =>
  startCli(['processor', '--real', '--port', String(port)], env);
export const startGateway = (env: Record<string, string>, port = 0) =>
  startCli(['gateway', '--real', '--port', String(port)], env);
export const portOf = (role: CliProcess) => Number(new URL(role.url).port);

export interface ProcessorCounters {
  stored: number;
  redelivered: number;
  poison: number;
  cacheErrors: number;
}

/** A processor's own counters, from /api/node/stats (zero for a process that does not answer). */
export async function processorCounters(url: string): Promise<ProcessorCounters> {
  try {
    const res = await fetch(`${url}/api/node/stats`, { signal: AbortSignal.timeout(3000) });
    const body = (await res.json()) as { processor?: ProcessorCounters };
    return body.processor ?? { stored: 0, redelivered: 0, poison: 0, cacheErrors: 0 };
  } catch {
    return { stored: 0, redelivered: 0, poison: 0, cacheErrors: 0 };
  }
}

export async function sumCounters(urls: string[]): Promise<ProcessorCounters> {
  const all = await Promise.all(urls.map(processorCounters));
  return all.reduce(
    (sum, c) => ({
      stored: sum.stored + c.stored,
      redelivered: sum.redelivered + c.redelivered,
      poison: sum.poison + c.poison,
      cacheErrors: sum.cacheErrors + c.cacheErrors,
    }),
    { stored: 0, redelivered: 0, poison: 0, cacheErrors: 0 },
  );
}

/** Samples the stored row count every 250 ms; a sample that fails (store down) is kept as null. */
export class StoreWatch {
  readonly samples: { atMs: number; rows: number | null }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(
    private readonly db: pg.Pool,
    private readonly table: string,
  ) {}

  start(): this {
    this.timer = setInterval(() => {
      if (this.busy) return;
      this.busy = true;
      const atMs = Date.now();
      this.db
        .query<{ n: string }>(`SELECT count(*) AS n FROM ${this.table}`)
        .then((r) => this.samples.push({ atMs, rows: Number(r.rows[0]?.n) }))
        .catch(() => this.samples.push({ atMs, rows: null }))
        .finally(() => (this.busy = false));
    }, 250);
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** First moment at or after `fromMs` when the stored count reached `rows` (ms after fromMs), or null. */
  reachedAfter(fromMs: number, rows: number): number | null {
    const hit = this.samples.find((s) => s.atMs >= fromMs && s.rows !== null && s.rows >= rows);
    return hit ? hit.atMs - fromMs : null;
  }

  /** Ms after `fromMs` until the stored count first grew past its value at `fromMs`, or null. */
  grewAfter(fromMs: number): number | null {
    const base = this.samples.filter((s) => s.atMs <= fromMs && s.rows !== null).at(-1)?.rows ?? 0;
    const hit = this.samples.find((s) => s.atMs > fromMs && s.rows !== null && s.rows > base);
    return hit ? hit.atMs - fromMs : null;
  }

  /** Longest time after `fromMs` during which the count did not grow (a stall of the pipeline), in ms. */
  longestStallAfter(fromMs: number): number {
    let longest = 0;
    let since: number | undefined;
    let last: number | undefined;
    for (const s of this.samples.filter((x) => x.atMs >= fromMs)) {
      if (s.rows !== null && s.rows !== last) {
        last = s.rows;
        since = s.atMs;
      } else if (since !== undefined) longest = Math.max(longest, s.atMs - since);
    }
    return longest;
  }
}

export interface StoredCheck {
  rows: number;
  distinct: number;
  acknowledgedFound: number;
  /** How long the store took, after the load ended, to hold every acknowledged id. */
  drainMs: number;
}

/** Waits until every acknowledged id is stored (or the deadline), then counts rows, distinct ids and acknowledged ids found. */
export async function checkStored(
  db: pg.Pool,
  table: string,
  acknowledged: string[],
  timeoutMs = 90_000,
): Promise<StoredCheck> {
  const started = Date.now();
  const found = async () =>
    Number(
      (await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE id = ANY($1::uuid[])`, [acknowledged]))
        .rows[0]?.n,
    );
  while (Date.now() - started < timeoutMs) {
    if ((await found().catch(() => -1)) >= acknowledged.length) break;
    await sleep(500);
  }
  const drainMs = Date.now() - started;
  const {
    rows: [row],
  } = await db.query<{ n: string; distinct_ids: string; found: string }>(
    `SELECT count(*) AS n, count(DISTINCT id) AS distinct_ids, count(*) FILTER (WHERE id = ANY($1::uuid[])) AS found FROM ${table}`,
    [acknowledged],
  );
  return { rows: Number(row?.n), distinct: Number(row?.distinct_ids), acknowledgedFound: Number(row?.found), drainMs };
}

/** The figures every fault reports: what the sender sent and got acknowledged, what the store holds, and duplicates. */
export function deliveryFigures(load: LoadResult, stored: StoredCheck, counters?: ProcessorCounters) {
  return {
    sent: load.sent,
    acknowledged: load.acknowledged.length,
    failed: load.failed.length,
    ...stored,
    duplicatesStored: stored.rows - stored.distinct,
    ...(counters ? { duplicatesDelivered: counters.redelivered } : {}),
  };
}

/** Stops every process a test started (SIGTERM, then SIGKILL after 20 s) and drops its table. */
export async function cleanUp(
  processes: CliProcess[],
  db: pg.Pool | undefined,
  table: string | undefined,
): Promise<void> {
  await Promise.all(
    processes.map(async (p) => {
      const timer = setTimeout(() => p.child.kill('SIGKILL'), 20_000);
      await p.stop('SIGTERM');
      clearTimeout(timer);
    }),
  );
  if (db && table) await db.query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
  await db?.end();
}

/** One line per test with the figures docs/RELIABILITY.md reports. */
export function report(name: string, figures: Record<string, unknown>): void {
  console.log(`[fault] ${name}: ${JSON.stringify(figures)}`);
}

/** Distinct error messages of a role's log lines whose msg matches (pino JSON on stdout), at most 3: why it answered 503. */
export function loggedReasons(output: string, msg: RegExp): string[] {
  const reasons = new Set<string>();
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const entry = JSON.parse(line) as { msg?: string; err?: { message?: string } };
      if (entry.msg && msg.test(entry.msg)) reasons.add(entry.err?.message ?? entry.msg);
    } catch {
      // not a log line
    }
  }
  return [...reasons].slice(0, 3);
}
