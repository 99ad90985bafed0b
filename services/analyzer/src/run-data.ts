// A load test as the analyzer sees it: the generator's stored result (validated) and the monitor's seconds during it.
import { AppError, LatencyHistogram, type LatencySummary } from '@logperf/core';
import {
  storedLoadTestResultSchema,
  type HistoryRow,
  type HistoryStore,
  type ResultsRepository,
  type StoredLoadTestResult,
  type StoredResult,
} from '@logperf/measurements';

export type RunSecond = StoredLoadTestResult['timeline'][number];

export interface RunData {
  testId: string;
  testName: string;
  kind: string;
  status: string;
  startedAt: number;
  finishedAt: number;
  target: string;
  durationSeconds: number;
  intendedRatePerSecond: number;
  achievedRatePerSecond: number;
  intended: number;
  acknowledged: number;
  dropped: number;
  /** Events sent later than 10 ms after their intended time by the generator's own doing (older results: any cause). */
  late: number;
  sent: number;
  errors: Record<string, number>;
  /** Generator-limited: it could not keep its schedule for reasons of its own (the run is invalid). */
  saturated: boolean;
  /** When the generator first fell behind its schedule by its own doing, seconds after the start. */
  saturatedAtSeconds: number | null;
  /** The whole run's corrected latency (HDR, compressed base64), when stored. */
  latencyHistogram: string | null;
  /** The generator's seconds (relative to the start). */
  seconds: RunSecond[];
  /** The monitor's seconds between start and finish (empty when no monitor stored any). */
  history: HistoryRow[];
}

/** Reads a stored result into RunData; a result this version cannot read is a 422 naming the field. */
export function toRunData(stored: StoredResult, history: HistoryRow[]): RunData {
  const parsed = storedLoadTestResultSchema.safeParse(stored.result);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError(
      'UNPROCESSABLE',
      `test ${stored.testId} has no readable result (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'unknown shape'})`,
    );
  }
  const r = parsed.data;
  return {
    testId: stored.testId,
    testName: stored.testName,
    kind: stored.kind,
    status: stored.status,
    startedAt: stored.startedAt,
    finishedAt: stored.finishedAt ?? stored.startedAt + r.durationSeconds * 1000,
    target: r.target ?? 'unknown',
    durationSeconds: r.durationSeconds,
    intendedRatePerSecond: r.intendedRatePerSecond,
    achievedRatePerSecond: r.achievedRatePerSecond,
    intended: r.intended,
    acknowledged: r.acknowledged,
    dropped: r.dropped,
    late: r.generatorLate ?? r.late,
    sent: r.sent ?? r.intended,
    errors: r.errors,
    saturated: r.generatorLimited ?? r.saturated,
    saturatedAtSeconds: r.generatorLimited === undefined ? r.saturatedAtSeconds : (r.generatorLimitedAtSeconds ?? null),
    latencyHistogram: r.histograms?.latency ?? null,
    seconds: r.timeline,
    history,
  };
}

/** Loads tests and the monitor's history around them. */
export class RunSource {
  constructor(
    private readonly results: ResultsRepository,
    private readonly history: HistoryStore,
  ) {}

  /** A finished test; `withHistory: false` skips the monitor's seconds (capacity needs only the generator's). */
  async run(testId: string, options: { withHistory?: boolean } = {}): Promise<RunData> {
    const stored = await this.results.get(testId);
    if (!stored) throw new AppError('NOT_FOUND', `no load test with id '${testId}'`);
    if (stored.status === 'running')
      throw new AppError('CONFLICT', `test ${testId} is still running; analyse it when it has finished`);
    const finishedAt = stored.finishedAt ?? Date.now();
    return toRunData(
      stored,
      options.withHistory === false ? [] : await this.history.range(stored.startedAt, finishedAt),
    );
  }

  /** The newest finished test, or undefined when none was run yet. */
  async latest(): Promise<RunData | undefined> {
    const stored = await this.results.latest();
    return stored && this.run(stored.testId);
  }

  /** Finished tests, newest first (bounded), without the monitor's seconds; one this version cannot read is left out. */
  async recent(limit: number): Promise<RunData[]> {
    const list = await this.results.list(limit, 0);
    const runs = await Promise.all(
      list
        .filter((t) => t.status !== 'running')
        .map((t) => this.run(t.testId, { withHistory: false }).catch(() => undefined)),
    );
    return runs.filter((r): r is RunData => r !== undefined);
  }

  /** The monitor's seconds over a window ending now (for analyses not tied to a test). */
  recentHistory(windowMs: number, nowMs = Date.now()): Promise<HistoryRow[]> {
    return this.history.range(nowMs - windowMs, nowMs);
  }

  /** Mean events/s per day over the last `days` days, from the monitor's seconds (for growth trends). */
  dailyRates(days: number, nowMs = Date.now()): Promise<{ day: number; eventsPerSecond: number; seconds: number }[]> {
    return this.history.dailyThroughput(nowMs - days * 86_400_000, nowMs);
  }
}

export interface ComponentSecond {
  /** Seconds after the test's start. */
  second: number;
  atMs: number;
  count: number;
  p50: number;
  p95: number;
  p99: number;
}

export interface ComponentLatency {
  seconds: ComponentSecond[];
  /** All the run's seconds merged (HDR histograms added, never percentiles averaged); null when none were recorded. */
  merged: LatencySummary | null;
}

const componentCache = new WeakMap<RunData, Map<string, ComponentLatency>>();

/**
 * A component's latency per second from the monitor's history, each histogram decoded once per run and component
 * (a decoded histogram is ~90 KB, so only its percentiles are kept) and merged into the whole run's.
 */
export function componentLatency(run: RunData, component: string): ComponentLatency {
  const byComponent = componentCache.get(run) ?? new Map<string, ComponentLatency>();
  componentCache.set(run, byComponent);
  const cached = byComponent.get(component);
  if (cached) return cached;
  const merged = LatencyHistogram.create();
  const seconds: ComponentSecond[] = [];
  for (const row of run.history) {
    const encoded = row.latency[component];
    if (!encoded) continue;
    const h = LatencyHistogram.decode(encoded);
    if (h.count === 0) continue;
    merged.merge(h);
    seconds.push({
      second: Math.floor((row.atMs - run.startedAt) / 1000),
      atMs: row.atMs,
      count: h.count,
      p50: h.percentileMs(50),
      p95: h.percentileMs(95),
      p99: h.percentileMs(99),
    });
  }
  const result = { seconds, merged: merged.count > 0 ? merged.summary() : null };
  byComponent.set(component, result);
  return result;
}
