// The coordinator's side with remote workers: writes each segment's work order to its partition of the test's
// control topic, announces the test in the lobby, starts once every segment is claimed by a member of the workers'
// consumer group, and merges the per-second reports of each segment's current owner (its member id and group
// generation fence out any other). A segment taken over resumes at a whole second; the events in between are dropped,
// charged to the worker that lost it. Same GeneratorRun as the local threads, so the runner does not tell them apart.
import { sleep, type Logger } from '@logperf/core';
import type { GeneratorRun, WorkerEnd } from './generator-threads.js';
import { kafkaLink } from './kafka-link.js';
import { Schedule } from './pacer.js';
import type { ResultRecorder } from './results.js';
import { SegmentRecorder } from './second-report.js';
import { SegmentSchedule } from './segment.js';
import type { WorkerCost, WorkOrder } from './work-order.js';
import {
  authFor,
  decode,
  PROTOCOL_VERSION,
  rejection,
  topicsFor,
  workerReportSchema,
  type WorkerReport,
} from './worker-protocol.js';
import { WorkerTallies } from './worker-tally.js';

export interface RemoteGeneratorOptions {
  brokers: readonly string[];
  topicPrefix: string;
  /** The workers' Kafka session in the test's group: how soon a dead worker's segments move. */
  sessionTimeoutMs: number;
  apiToken?: string;
  logger: Logger;
  /** Longest wait for every segment to have a worker (default 30 s); past it the run fails, naming the segments. */
  claimTimeoutMs?: number;
  /** Claims unchanged this long before the start: the group has settled (default 1 s). */
  settleMs?: number;
}

interface Owner {
  worker: string;
  memberId: string;
  generation: number;
  url: string | null;
}

interface SegmentState {
  schedule: SegmentSchedule;
  owner: Owner | null;
  /** The owner before the current one: a gap before the current owner resumed is its. */
  previous: Owner | null;
  /** Events k below this are accounted for: in reports accepted from owners, or dropped at a takeover. */
  accountedUpTo: number;
  watermark: number;
  end: WorkerEnd | null;
  cost: WorkerCost | null;
}

const START_LEAD_MS = 1000;

export function runRemoteGenerators(
  orders: readonly WorkOrder[],
  recorder: ResultRecorder,
  options: RemoteGeneratorOptions,
): GeneratorRun {
  const testId = orders[0]!.testId;
  const topics = topicsFor(options.topicPrefix, testId);
  const link = kafkaLink(options.brokers, `logperf-coordinator-${process.pid}`);
  const auth = authFor(options.apiToken, testId);
  const envelope = { protocol: PROTOCOL_VERSION, testId, auth };
  const tallies = new WorkerTallies();
  const { logger } = options;
  const segments: SegmentState[] = orders.map((o) => ({
    schedule: new SegmentSchedule(Schedule.fromPlan(o.plan), o.segment),
    owner: null,
    previous: null,
    accountedUpTo: 0,
    watermark: Number.NEGATIVE_INFINITY,
    end: null,
    cost: null,
  }));
  let startAtEpochMs: number | null = null;
  let ownersChangedAtMs = Date.now();
  let stopRequested = false;
  let rejected = 0;
  let changed: () => void = () => undefined;
  let started: (at: number) => void = () => undefined;
  const startedAt = new Promise<number>((resolve) => (started = resolve));

  /** Events [accountedUpTo, upTo) of a segment nobody sent: dropped, in their phase and second, charged to `owner`. */
  function dropGap(s: number, upTo: number, owner: Owner, reason: string): void {
    const state = segments[s]!;
    const gap = new SegmentRecorder();
    for (let k = state.accountedUpTo; k < upTo; k++) {
      const event = state.schedule.eventAt(k)!;
      gap.intended(event.phase, event.intendedMs);
      gap.dropped(event.phase, event.intendedMs, true);
    }
    for (const report of gap.drain()) recorder.merge(report);
    tallies.takeoverGap(owner.worker, Math.max(0, upTo - state.accountedUpTo), reason);
    state.accountedUpTo = Math.max(state.accountedUpTo, upTo);
  }

  function onClaim(claim: Extract<WorkerReport, { type: 'claim' }>): void {
    const state = segments[claim.segment]!;
    const owner = state.owner;
    if (owner && claim.generation < owner.generation) return;
    if (owner?.memberId === claim.memberId) owner.generation = claim.generation;
    else {
      state.previous = owner;
      state.owner = { worker: claim.worker, memberId: claim.memberId, generation: claim.generation, url: claim.url };
      ownersChangedAtMs = Date.now();
      logger.info({ segment: claim.segment, worker: claim.worker, generation: claim.generation }, 'segment claimed');
    }
    if (startAtEpochMs === null) return;
    // HOOK (clock offsets): a worker running a segment, with its HTTP address, is where its offset would be estimated.
    tallies.holds(claim.worker, claim.segment, claim.url);
    // Events between what was counted and where this owner resumes were never sent by anyone counted: dropped, charged
    // to the worker that lost the segment (itself, if it resumed after losing its group session).
    const resumeAt = state.schedule.firstAt(claim.resumeAtMs);
    if (resumeAt > state.accountedUpTo) {
      const loser = state.previous ?? state.owner!;
      const reason = `segment ${claim.segment} taken over by ${claim.worker}, resumed at +${claim.resumeAtMs / 1000} s`;
      dropGap(claim.segment, resumeAt, loser, reason);
    }
  }

  function onReport(message: WorkerReport): void {
    if (message.segment >= segments.length) return void rejected++;
    const state = segments[message.segment]!;
    if (state.end) return;
    if (message.type === 'claim') return onClaim(message);
    const owner = state.owner;
    // Fencing: only the segment's current owner, in the generation it claimed it, is counted.
    if (owner?.memberId !== message.memberId || owner.generation !== message.generation) return void rejected++;
    for (const report of message.reports) {
      recorder.merge(report);
      state.accountedUpTo += report.intended;
    }
    tallies.add(owner.worker, message.reports);
    state.cost = message.cost;
    if (message.type === 'report') {
      state.watermark = message.sealBeforeSecond;
      recorder.seal(Math.min(...segments.map((s) => (s.end ? Number.POSITIVE_INFINITY : s.watermark))));
      return;
    }
    tallies.scheduleLag(owner.worker, message.outcome.maxScheduleLagMs);
    state.end = { index: message.segment, cost: message.cost, crashed: null, ...message.outcome };
    changed();
  }

  const waitForChange = (ms: number) =>
    new Promise<void>((resolve) => {
      changed = resolve;
      setTimeout(resolve, ms);
    });

  async function toEveryPartition(body: Record<string, unknown>): Promise<void> {
    await Promise.all(segments.map((_, p) => link.send(topics.control, { ...envelope, ...body }, p)));
  }

  async function waitForOwners(): Promise<string | null> {
    const deadline = Date.now() + (options.claimTimeoutMs ?? 30_000);
    let announcedAtMs = 0;
    while (!stopRequested) {
      const unclaimed = segments.flatMap((s, i) => (s.owner ? [] : [i]));
      if (unclaimed.length === 0 && Date.now() - ownersChangedAtMs >= (options.settleMs ?? 1000)) return null;
      if (Date.now() > deadline)
        return `no worker claimed segment(s) ${unclaimed.join(', ')} within ${options.claimTimeoutMs ?? 30_000} ms (are \`logperf worker\`s running against ${options.brokers.join(',')} with prefix ${options.topicPrefix}?)`;
      if (Date.now() - announcedAtMs >= 1000) {
        announcedAtMs = Date.now();
        await link.send(topics.lobby, {
          ...envelope,
          type: 'announce',
          controlTopic: topics.control,
          resultsTopic: topics.results,
          groupId: topics.group,
          segments: segments.length,
          sessionTimeoutMs: options.sessionTimeoutMs,
        });
      }
      await sleep(100);
    }
    return 'stopped before the workers were ready';
  }

  async function run(): Promise<WorkerEnd[]> {
    await link.createTopic(topics.lobby, 1);
    await link.createTopic(topics.control, segments.length);
    await link.createTopic(topics.results, 1);
    const results = await link.join({
      groupId: `${topics.results}.coordinator`,
      topic: topics.results,
      mode: 'earliest',
      sessionTimeoutMs: 10_000,
      onRecord: (value) => {
        const decoded = decode(workerReportSchema, value);
        const refused = decoded.ok ? rejection(decoded.value, options.apiToken) : decoded.error;
        if (!decoded.ok || refused) {
          rejected++;
          return logger.warn({ refused }, 'coordinator: worker record refused');
        }
        onReport(decoded.value);
      },
      onError: (error) => logger.warn({ err: error }, 'coordinator: results member error'),
    });
    try {
      await Promise.all(orders.map((order, p) => link.send(topics.control, { ...envelope, type: 'order', order }, p)));
      const notReady = await waitForOwners();
      if (notReady !== null) return segments.map((_, index) => failedEnd(index, notReady, !stopRequested));
      startAtEpochMs = Date.now() + START_LEAD_MS;
      const at = startAtEpochMs;
      segments.forEach((s, p) => tallies.holds(s.owner!.worker, p, s.owner!.url));
      await Promise.all(
        segments.map((s, p) => {
          const owner = { memberId: s.owner!.memberId, generation: s.owner!.generation };
          return link.send(topics.control, { ...envelope, type: 'start', startAtEpochMs: at, owner }, p);
        }),
      );
      started(at);
      if (stopRequested) await toEveryPartition({ type: 'stop' });
      const o = orders[0]!;
      const longestMs =
        Schedule.fromPlan(o.plan).durationMs + o.dropAfterMs + o.timeoutMs + 4 * options.sessionTimeoutMs + 10_000;
      while (segments.some((s) => !s.end) && Date.now() < at + longestMs) await waitForChange(250);
      return segments.map((s, index) => {
        if (s.end) return s.end;
        const owner = s.owner!;
        const reason = `segment ${index}: its worker ${owner.worker} stopped reporting and no worker took it over`;
        dropGap(index, s.schedule.dueBy(Date.now() - at), owner, reason);
        return failedEnd(index, reason, true);
      });
    } finally {
      await toEveryPartition({ type: 'end' }).catch(() => undefined);
      await results.close();
      await link.deleteTopics([topics.control, topics.results]).catch((error: unknown) => {
        logger.warn({ err: error }, 'coordinator: test topics not removed');
      });
    }
  }

  const failedEnd = (index: number, reason: string, crashed: boolean): WorkerEnd => ({
    index,
    cost: segments[index]!.cost,
    crashed: crashed ? reason : null,
    elapsedMs: startAtEpochMs === null ? 0 : Date.now() - startAtEpochMs,
    stoppedEarly: !crashed,
    generatorLateAtMs: null,
    targetLimitedAtMs: null,
    maxScheduleLagMs: 0,
  });

  const done = run()
    .catch((error: unknown) =>
      segments.map((_, index) => failedEnd(index, `remote workers: ${(error as Error).message}`, true)),
    )
    .finally(() => link.close());
  return {
    done,
    started: startedAt,
    stop() {
      stopRequested = true;
      if (startAtEpochMs !== null) void toEveryPartition({ type: 'stop' }).catch(() => undefined);
    },
    // One cost per worker process: its CPU covers all its segments, so segments' costs are not added up.
    costs: () => {
      const byWorker = new Map<string, WorkerCost>();
      for (const s of segments) {
        if (!s.cost || !s.owner) continue;
        const seen = byWorker.get(s.owner.worker);
        byWorker.set(s.owner.worker, seen ? { ...s.cost, sent: seen.sent + s.cost.sent } : s.cost);
      }
      return [...byWorker.values()];
    },
    workers: () => tallies.list(),
    rejectedReports: () => rejected,
  };
}
