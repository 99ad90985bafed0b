// Runs one load test at a time: builds its schedule and target, attacks, evaluates thresholds, persists the result.
import { randomUUID } from 'node:crypto';
import { AppError, type Logger } from '@logperf/core';
import { attack, type AttackOutcome } from './attack.js';
import { EventFactory, type EventMix } from './event-factory.js';
import { endToEndSince, snapshotProcessors, type EndToEndResult } from './processor-latency.js';
import { ResultRecorder, type PhaseResult } from './results.js';
import type { ResultsRepository, StoredResult } from './results-repository.js';
import type { Scenario, TestKind, Thresholds } from './scenarios.js';
import type { Target } from './target.js';
import { evaluateThresholds, type Measured } from './thresholds.js';

/** Results stored before thresholds became per phase and failing by default have no version (1). */
export const RESULT_VERSION = 2;

const measuredPhase = (p: PhaseResult): Measured => ({
  latencyMs: p.latencyMs,
  intended: p.intended,
  errors: Object.values(p.errors).reduce((a, b) => a + b, 0),
  dropped: p.dropped,
  achievedRatio: p.intendedRatePerSecond > 0 ? p.achievedRatePerSecond / p.intendedRatePerSecond : 0,
});

export interface TestRequest {
  kind: TestKind;
  eventMix: EventMix;
  testName: string;
  batchSize: number;
  thresholds: Thresholds;
  /** The request as the client sent it (kept with the result). */
  config: unknown;
  scenario: Scenario;
  target: Target;
}

export interface RunnerOptions {
  repository: ResultsRepository;
  logger: Logger;
  processorUrls: readonly string[];
  maxInFlight?: number;
  timeoutMs?: number;
}

export interface Progress {
  testId: string;
  testName: string;
  status: 'running';
  elapsedSeconds: number;
  durationSeconds: number;
  intendedRatePerSecond: number;
  /** Acknowledged in the last full second. */
  achievedRatePerSecond: number;
  p99Ms: number;
  sent: number;
  acknowledged: number;
  errors: number;
  dropped: number;
  late: number;
}

interface Running {
  testId: string;
  request: TestRequest;
  recorder: ResultRecorder;
  abort: AbortController;
  startedAt: number;
  done: Promise<void>;
}

export class LoadTestRunner {
  private current: Running | undefined;
  /** A start between its check and its first save: holds the one-test slot without being the current test. */
  private starting = false;

  constructor(private readonly options: RunnerOptions) {}

  /** Starts a test in the background; a second concurrent start is a 409. */
  async start(request: TestRequest): Promise<{ testId: string; status: 'running' }> {
    if (this.current || this.starting) {
      await request.target.close();
      throw new AppError(
        'CONFLICT',
        `test ${this.current?.testId ?? '(starting)'} is running; stop it or wait (one test at a time per generator)`,
      );
    }
    const testId = randomUUID();
    const recorder = new ResultRecorder(request.scenario.schedule.phases.map((p) => p.name));
    const running: Running = {
      testId,
      request,
      recorder,
      abort: new AbortController(),
      startedAt: Date.now(),
      done: Promise.resolve(),
    };
    // Current only once stored: a failed first save leaves no test holding the slot and no target open.
    this.starting = true;
    try {
      await this.options.repository.save(this.stored(running, 'running', null, null, { progress: null }));
    } catch (error) {
      await request.target.close().catch(() => undefined);
      throw error;
    } finally {
      this.starting = false;
    }
    this.current = running;
    running.done = this.run(running).catch((error: unknown) =>
      this.options.logger.error({ err: error, testId }, 'load test failed'),
    );
    return { testId, status: 'running' };
  }

  async stop(testId: string): Promise<StoredResult> {
    const running = this.current;
    if (running?.testId !== testId) {
      const stored = await this.options.repository.get(testId);
      if (!stored) throw new AppError('NOT_FOUND', `no test ${testId}`);
      return stored;
    }
    running.abort.abort();
    await running.done;
    return (await this.options.repository.get(testId))!;
  }

  /** Live progress for the running test, else the stored record. */
  async status(testId: string): Promise<Progress | StoredResult> {
    if (this.current?.testId === testId) return this.progress(this.current);
    const stored = await this.options.repository.get(testId);
    if (!stored) throw new AppError('NOT_FOUND', `no test ${testId}`);
    return stored;
  }

  runningTest(): Progress | undefined {
    return this.current && this.progress(this.current);
  }

  /** Stops a running test and waits for its partial result to be saved. */
  async close(): Promise<void> {
    if (this.current) await this.stop(this.current.testId);
  }

  private progress(r: Running): Progress {
    const elapsedSeconds = (Date.now() - r.startedAt) / 1000;
    const totals = r.recorder.totals();
    const lastFull = r.recorder
      .timeline()
      .filter((s) => s.second < Math.floor(elapsedSeconds))
      .at(-1);
    return {
      testId: r.testId,
      testName: r.request.testName,
      status: 'running',
      elapsedSeconds,
      durationSeconds: r.request.scenario.schedule.durationMs / 1000,
      intendedRatePerSecond: r.request.scenario.schedule.rateAt(elapsedSeconds * 1000),
      achievedRatePerSecond: lastFull?.acknowledged ?? 0,
      p99Ms: lastFull?.latencyMs.p99 ?? 0,
      sent: totals.sent,
      acknowledged: totals.acknowledged,
      errors: Object.values(totals.errors).reduce((a, b) => a + b, 0),
      dropped: totals.dropped,
      late: totals.late,
    };
  }

  private async run(r: Running): Promise<void> {
    const { request } = r;
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    const before = await snapshotProcessors(this.options.processorUrls);
    let outcome: AttackOutcome | undefined;
    let failure: string | undefined;
    try {
      outcome = await attack({
        schedule: request.scenario.schedule,
        target: request.target,
        factory: new EventFactory(request.eventMix),
        recorder: r.recorder,
        batchSize: request.batchSize,
        maxLingerMs: 5,
        maxInFlight: this.options.maxInFlight ?? 64,
        lateThresholdMs: 10,
        dropAfterMs: 5000,
        timeoutMs,
        signal: r.abort.signal,
      });
    } catch (error) {
      failure = (error as Error).message;
    } finally {
      await request.target.close().catch(() => undefined);
    }
    const totals = r.recorder.totals();
    const endToEnd: EndToEndResult = await endToEndSince(
      before,
      this.options.processorUrls,
      totals.acknowledged,
      10_000,
    ).catch((error: unknown) => ({
      available: false as const,
      reason: `processor histograms could not be compared (restarted during the test?): ${(error as Error).message}`,
    }));
    const result = this.result(r, outcome, endToEnd, failure);
    const status = failure ? 'failed' : outcome?.stoppedEarly ? 'stopped' : 'completed';
    try {
      await this.options.repository.save(this.stored(r, status, Date.now(), result.passed, result));
    } finally {
      this.current = undefined;
    }
  }

  private result(
    r: Running,
    outcome: AttackOutcome | undefined,
    endToEnd: EndToEndResult,
    failure: string | undefined,
  ) {
    const { scenario } = r.request;
    const totals = r.recorder.totals();
    const elapsedSeconds = (outcome?.elapsedMs ?? 0) / 1000;
    const intendedRate = elapsedSeconds > 0 ? totals.intended / elapsedSeconds : 0;
    const achievedRate = elapsedSeconds > 0 ? totals.acknowledged / elapsedSeconds : 0;
    const errors = Object.values(totals.errors).reduce((a, b) => a + b, 0);
    const phases = r.recorder.phaseResults(
      scenario.schedule.phases.map((p) => p.shape.durationMs),
      scenario.intendedRates,
    );
    const thresholds = evaluateThresholds(r.request.thresholds, {
      latencyMs: totals.latencyMs,
      intended: totals.intended,
      errors,
      dropped: totals.dropped,
      achievedRatio: intendedRate > 0 ? achievedRate / intendedRate : 0,
      phases: Object.fromEntries(phases.map((p) => [p.name, measuredPhase(p)])),
      endToEndMs: endToEnd.available ? endToEnd.latencyMs : { unknown: endToEnd.reason },
    });
    return {
      /** 2: thresholds carry `source`, may be per phase (`phases.<name>.<key>`) and may have `actual: null`. */
      resultVersion: RESULT_VERSION,
      target: r.request.target.description,
      config: r.request.config,
      failure: failure ?? null,
      durationSeconds: elapsedSeconds,
      scheduledSeconds: scenario.schedule.durationMs / 1000,
      ...totals,
      intendedRatePerSecond: intendedRate,
      achievedRatePerSecond: achievedRate,
      saturated: outcome?.saturated ?? false,
      saturatedAtSeconds: outcome?.saturatedAtMs == null ? null : outcome.saturatedAtMs / 1000,
      maxSchedulingLagMs: outcome?.maxSchedulingLagMs ?? 0,
      phases,
      timeline: r.recorder.timeline(),
      histograms: {
        latency: r.recorder.latencyHistogram().encode(),
        serviceTime: r.recorder.serviceTimeHistogram().encode(),
      },
      endToEnd,
      thresholds,
      passed: thresholds.every((t) => t.passed) && !failure,
    };
  }

  private stored(
    r: Running,
    status: string,
    finishedAt: number | null,
    passed: boolean | null,
    result: unknown,
  ): StoredResult {
    return {
      testId: r.testId,
      testName: r.request.testName,
      kind: r.request.kind,
      status,
      startedAt: r.startedAt,
      finishedAt,
      passed,
      result,
    };
  }
}
