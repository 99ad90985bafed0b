// Runs one load test at a time: builds its schedule and target, attacks, evaluates thresholds, persists the result.
import { randomUUID } from 'node:crypto';
import { AppError, type Logger } from '@logperf/core';
import type { EventMix } from './event-factory.js';
import { runGenerators, type GeneratorRun, type WorkerEnd } from './generator-threads.js';
import {
  RESULT_VERSION,
  type EndToEndResult,
  type GeneratorCost,
  type LoadTestProgress,
  type LoadTestResultBody,
  type PhaseResult,
  type ResultsRepository,
  type StoredResult,
} from '@logperf/measurements';
import { generatorCost } from './generator-cost.js';
import { endToEndSince, snapshotProcessors } from './processor-latency.js';
import { ResultRecorder } from './results.js';
import type { Scenario, TestKind, Thresholds } from './scenarios.js';
import type { TargetSpec } from './target.js';
import { evaluateThresholds, type Measured } from './thresholds.js';
import { GENERATOR_LIMIT_SHARE, generatorShare, verdictOf } from './verdict.js';
import type { WorkOrder } from './work-order.js';
import { runRemoteGenerators, type RemoteGeneratorOptions } from './remote-generators.js';
import { workerProblems } from './worker-tally.js';

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
  /** Where the events go; opened by each generator thread itself. */
  target: TargetSpec;
  targetDescription: string;
}

export interface RunnerOptions {
  repository: ResultsRepository;
  logger: Logger;
  processorUrls: readonly string[];
  maxInFlight?: number;
  timeoutMs?: number;
  /** Generator threads sharing the schedule (default 1; each keeps maxInFlight / threads requests in flight). */
  generatorThreads?: number;
  /** Partial-batch wait, late and drop limits of the generator (config: LOGPERF_LOADGEN_*; defaults 5, 10, 5000 ms). */
  lingerMs?: number;
  lateAfterMs?: number;
  dropAfterMs?: number;
  /** LOGPERF_CLOCK_MAX_UNCERTAINTY_SHARE: the end-to-end figure's clock bound allowed, as a share of it (default 0.1). */
  clockMaxUncertaintyShare?: number;
  /**
   * Remote `logperf worker`s over Kafka instead of local threads (LOGPERF_LOADGEN_WORKERS=kafka): the schedule is cut
   * into `segments` (LOGPERF_LOADGEN_SEGMENTS), each with maxInFlight / segments requests in flight.
   */
  remote?: Omit<RemoteGeneratorOptions, 'logger'> & { segments: number };
}

/** The running test's progress (GET /api/loadtest/:id, and runningTest in /api/node/stats). */
export type Progress = LoadTestProgress;

interface Running {
  testId: string;
  request: TestRequest;
  recorder: ResultRecorder;
  abort: AbortController;
  startedAt: number;
  done: Promise<void>;
  generator: GeneratorRun | undefined;
  /** The schedule's time zero (epoch ms), once the generator threads are ready. */
  scheduleStartedAt: number | undefined;
}

export class LoadTestRunner {
  private current: Running | undefined;
  /** The generator's cost in the last finished test (for /api/node/stats between tests). */
  private lastCost: GeneratorCost | null = null;
  /** A start between its check and its first save: holds the one-test slot without being the current test. */
  private starting = false;

  constructor(private readonly options: RunnerOptions) {}

  /** Starts a test in the background; a second concurrent start is a 409. */
  async start(request: TestRequest): Promise<{ testId: string; status: 'running' }> {
    if (this.current || this.starting) {
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
      generator: undefined,
      scheduleStartedAt: undefined,
    };
    // Current only once stored: a failed first save leaves no test holding the slot.
    this.starting = true;
    try {
      await this.options.repository.save(this.stored(running, 'running', null, null, { progress: null }));
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
    running.generator?.stop();
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

  /** CPU per event of the generator threads: the running test's so far, else the last test's. */
  generatorCost(): GeneratorCost | null {
    const running = this.current?.generator;
    return running ? generatorCost(running.costs()) : this.lastCost;
  }

  /** Stops a running test and waits for its partial result to be saved. */
  async close(): Promise<void> {
    if (this.current) await this.stop(this.current.testId);
  }

  private progress(r: Running): Progress {
    const elapsedSeconds = Math.max(0, Date.now() - (r.scheduleStartedAt ?? Date.now())) / 1000;
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

  private orders(r: Running): WorkOrder[] {
    const { request } = r;
    const threads = Math.max(1, this.options.remote?.segments ?? this.options.generatorThreads ?? 1);
    const maxInFlight = this.options.maxInFlight ?? 64;
    const target: TargetSpec =
      request.target.kind === 'http' ? { ...request.target, testId: r.testId } : request.target;
    return Array.from({ length: threads }, (_, index) => ({
      testId: r.testId,
      plan: request.scenario.schedule.plan(),
      segment: { index, count: threads },
      target,
      eventMix: request.eventMix,
      batchSize: request.batchSize,
      maxLingerMs: this.options.lingerMs ?? 5,
      maxInFlight: Math.max(1, Math.ceil(maxInFlight / threads)),
      lateThresholdMs: this.options.lateAfterMs ?? 10,
      dropAfterMs: this.options.dropAfterMs ?? 5000,
      timeoutMs: this.options.timeoutMs ?? 10_000,
    }));
  }

  private async run(r: Running): Promise<void> {
    const before = await snapshotProcessors(this.options.processorUrls);
    const { remote } = this.options;
    r.generator = remote
      ? runRemoteGenerators(this.orders(r), r.recorder, { ...remote, logger: this.options.logger })
      : runGenerators(this.orders(r), r.recorder);
    if (r.abort.signal.aborted) r.generator.stop();
    void r.generator.started.then((at) => (r.scheduleStartedAt = at));
    const ends = await r.generator.done;
    const generator = r.generator;
    const totals = r.recorder.totals();
    // Over HTTP every request carries the test id, so the processors count this test's events apart; the kafka target
    // writes no test id, so its end-to-end is the window's.
    const endToEnd: EndToEndResult = await endToEndSince(
      before,
      this.options.processorUrls,
      totals.acknowledged,
      10_000,
      r.request.target.kind === 'http' ? r.testId : undefined,
      // The generator threads run in this process: the processors' offsets are measured against its clock.
      { maxUncertaintyShare: this.options.clockMaxUncertaintyShare ?? 0.1 },
    ).catch((error: unknown) => ({
      available: false as const,
      reason: `processor histograms could not be compared (restarted during the test?): ${(error as Error).message}`,
    }));
    const result = this.result(r, generator, ends, endToEnd);
    this.lastCost = result.generator.cost;
    const crashed = ends.some((e) => e.crashed !== null);
    const status = crashed ? 'failed' : ends.some((e) => e.stoppedEarly) ? 'stopped' : 'completed';
    try {
      await this.options.repository.save(this.stored(r, status, Date.now(), result.passed, result));
    } finally {
      this.current = undefined;
    }
  }

  private result(
    r: Running,
    run: GeneratorRun,
    ends: readonly WorkerEnd[],
    endToEnd: EndToEndResult,
  ): LoadTestResultBody {
    const { scenario } = r.request;
    const totals = r.recorder.totals();
    const elapsedSeconds = Math.max(0, ...ends.map((e) => e.elapsedMs)) / 1000;
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
    const earliest = (values: (number | null)[]) => {
      const known = values.filter((v): v is number => v !== null);
      return known.length === 0 ? null : Math.min(...known) / 1000;
    };
    const crashes = ends.flatMap((e) => (e.crashed === null ? [] : [e.crashed]));
    const workers = run.workers();
    // A lost or generator-limited worker makes the run invalid, even when the merged share stays under the limit.
    const failures = [...crashes, ...workerProblems(workers)];
    const targetLimitedAtSeconds = earliest(ends.map((e) => e.targetLimitedAtMs));
    const maxScheduleLagMs = Math.max(0, ...ends.map((e) => e.maxScheduleLagMs));
    const verdict = verdictOf({
      generatorFailures: failures,
      intended: totals.intended,
      late: totals.late,
      generatorLate: totals.generatorLate,
      generatorDropped: totals.generatorDropped,
      targetLimitedAtSeconds,
      maxScheduleLagMs,
      thresholds,
    });
    return {
      resultVersion: RESULT_VERSION,
      target: r.request.targetDescription,
      config: r.request.config,
      failure: crashes.length > 0 ? crashes.join('; ') : null,
      durationSeconds: elapsedSeconds,
      scheduledSeconds: scenario.schedule.durationMs / 1000,
      ...totals,
      intendedRatePerSecond: intendedRate,
      achievedRatePerSecond: achievedRate,
      /** Late or dropped by its own doing beyond the allowed share (GENERATOR_LIMIT_SHARE): the run is invalid. */
      generatorLimited:
        crashes.length === 0 &&
        (generatorShare(totals) > GENERATOR_LIMIT_SHARE || workers.some((w) => w.generatorLimited)),
      generatorLimitedAtSeconds: earliest(ends.map((e) => e.generatorLateAtMs)),
      /** Due events waited at the in-flight cap: the target was slower than the schedule (a finding). */
      targetLimited: targetLimitedAtSeconds !== null,
      targetLimitedAtSeconds,
      generator: {
        /** `threads` (local generator threads) or `kafka` (remote `logperf worker`s). */
        mode: this.options.remote ? ('kafka' as const) : ('threads' as const),
        segments: ends.length,
        maxScheduleLagMs,
        cost: generatorCost(run.costs()),
        /** Per worker (thread or remote process): its segments, sent, late, dropped, generator-limited or lost. */
        workers,
        /** Per segment: how it ended (a crash names the segment and why). */
        segmentEnds: ends.map((e) => ({ index: e.index, crashed: e.crashed, maxScheduleLagMs: e.maxScheduleLagMs })),
        lateReports: r.recorder.lateReports,
        /** Worker reports not counted: fenced out (a segment's former owner or generation), refused or unreadable. */
        rejectedReports: run.rejectedReports(),
      },
      phases,
      timeline: r.recorder.timeline(),
      histograms: {
        latency: r.recorder.latencyHistogram().encode(),
        serviceTime: r.recorder.serviceTimeHistogram().encode(),
        scheduleLag: r.recorder.scheduleLagHistogram().encode(),
      },
      endToEnd,
      thresholds,
      verdict,
      /** Every threshold met and the generator ran (what `logperf burst|ramp` exits by); `verdict` says if it is valid. */
      passed: thresholds.every((t) => t.passed) && crashes.length === 0,
    };
  }

  private stored(
    r: Running,
    status: string,
    finishedAt: number | null,
    passed: boolean | null,
    result: LoadTestResultBody | { progress: null },
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
