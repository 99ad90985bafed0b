// One test as a remote worker runs it: a member of the test's consumer group over its control topic, running the
// segments (partitions) the group gives it — each an attack of its own — and publishing per-second reports tagged
// with the group generation. Revoked segments stop at once; a segment received mid-test resumes at the next whole
// second; without a heartbeat for three sessions the worker stops everything (it may have been fenced out).
import type { Logger } from '@logperf/core';
import { attack } from './attack.js';
import { EventFactory } from './event-factory.js';
import type { Join, KafkaLink, Member } from './kafka-link.js';
import { Schedule } from './pacer.js';
import { SegmentRecorder } from './second-report.js';
import { SegmentSchedule } from './segment.js';
import { openTarget, type Target } from './target.js';
import type { WorkerCost, WorkOrder } from './work-order.js';
import {
  authFor,
  controlMessageSchema,
  decode,
  PROTOCOL_VERSION,
  rejection,
  type Announcement,
  type WorkerReport,
} from './worker-protocol.js';

export interface WorkerIdentity {
  name: string;
  /** Announced with each claim so the coordinator can reach the worker (clock offset); null if not served. */
  url: string | null;
  apiToken?: string;
}

interface Start {
  startAtEpochMs: number;
  owner: { memberId: string; generation: number };
}

interface SegmentRun {
  abort: AbortController;
  recorder: SegmentRecorder;
  resumeAtMs: number;
  order: WorkOrder;
  startAtEpochMs: number;
  /** Why it was aborted: 'stop' (the coordinator's) still reports its end; 'revoked' does not (fenced anyway). */
  abortedFor: 'stop' | 'revoked' | null;
  sent: number;
}

export class WorkerSession {
  private member: Member | undefined;
  private readonly orders = new Map<number, WorkOrder>();
  private readonly starts = new Map<number, Start>();
  private readonly stopped = new Set<number>();
  private readonly runs = new Map<number, SegmentRun>();
  /** Partition → the generation from which this member has held it without a break. */
  private readonly heldSince = new Map<number, number>();
  private readonly claimed = new Map<number, number>();
  /** Segments this worker ran to their end: never run again, whatever the group does later. */
  private readonly completed = new Set<number>();
  private memberId = '';
  private generation = -1;
  private confirmedAtMs = Date.now();
  /** Per held segment, its target opened and warmed (its own connections, as a generator thread has). */
  private readonly targets = new Map<number, Promise<Target>>();
  private readonly warmed = new Set<number>();
  private factory: EventFactory | undefined;
  private closed = false;
  private readonly timer: NodeJS.Timeout;
  private readonly cpuAtStart = process.cpuUsage();

  constructor(
    private readonly link: KafkaLink,
    private readonly test: Announcement,
    private readonly me: WorkerIdentity,
    private readonly logger: Logger,
    private readonly onEnd: () => void,
  ) {
    this.timer = setInterval(() => this.tick(), 250);
  }

  async open(): Promise<void> {
    this.member = await this.link.join({
      groupId: this.test.groupId,
      topic: this.test.controlTopic,
      mode: 'earliest',
      sessionTimeoutMs: this.test.sessionTimeoutMs,
      onRecord: (value, partition) => this.onControl(value, partition),
      onJoin: (join) => this.onJoin(join),
      onHeartbeat: () => this.onHeartbeat(),
      onError: (error) => this.logger.warn({ err: error, testId: this.test.testId }, 'worker: group member error'),
    });
  }

  private onControl(value: Buffer, partition: number): void {
    const decoded = decode(controlMessageSchema, value);
    if (!decoded.ok) return this.logger.warn({ partition, error: decoded.error }, 'worker: unreadable control record');
    const message = decoded.value;
    const refused = rejection(message, this.me.apiToken);
    if (refused) return this.logger.warn({ partition, refused }, 'worker: control record refused');
    if (message.type === 'order') this.orders.set(partition, message.order);
    if (message.type === 'start') this.starts.set(partition, message);
    if (message.type === 'stop') {
      this.stopped.add(partition);
      this.abortRun(partition, 'stop');
    }
    if (message.type === 'end') return void this.close();
    this.evaluate(partition);
  }

  /** Partitions of the last join, and whether this worker stopped them for want of heartbeats. */
  private assigned: number[] = [];
  private fenced = false;

  /** Heard from the group again after stopping for want of heartbeats: still the owner, so resume (with a gap). */
  private onHeartbeat(): void {
    this.confirmedAtMs = Date.now();
    if (!this.fenced) return;
    this.fenced = false;
    for (const p of this.assigned) this.heldSince.set(p, Number.POSITIVE_INFINITY);
    for (const p of this.assigned) this.evaluate(p);
  }

  private onJoin(join: Join): void {
    this.confirmedAtMs = Date.now();
    this.fenced = false;
    this.assigned = join.partitions;
    const held = new Set(join.partitions);
    for (const p of this.heldSince.keys()) {
      if (held.has(p) && join.memberId === this.memberId) continue;
      this.heldSince.delete(p);
      this.claimed.delete(p);
      if (this.runs.has(p)) this.abortRun(p, 'revoked');
      else this.closeTarget(p);
    }
    for (const p of held) if (!this.heldSince.has(p)) this.heldSince.set(p, join.generation);
    this.memberId = join.memberId;
    this.generation = join.generation;
    this.logger.info({ testId: this.test.testId, ...join }, 'worker: segments assigned');
    for (const p of held) this.evaluate(p);
  }

  /** Claims a held segment in this generation, and runs it once its order and start are known. */
  private evaluate(p: number): void {
    if (this.closed || !this.heldSince.has(p) || this.completed.has(p)) return;
    const order = this.orders.get(p);
    if (!order) return;
    // Claimed only once its target is open and warm, so the start never waits for connections.
    if (!this.targets.has(p)) {
      const opened = openTarget(order.target).then(async (t) => (await t.warm?.(), t));
      this.targets.set(p, opened);
      opened.then(
        () => {
          // A target replaced meanwhile (the segment was revoked) does not make the new one warm.
          if (this.targets.get(p) !== opened) return;
          this.warmed.add(p);
          this.evaluate(p);
        },
        (error: unknown) => {
          this.logger.error({ err: error, segment: p }, 'worker: target not usable; leaving the test');
          void this.close();
        },
      );
    }
    if (!this.warmed.has(p)) return;
    const start = this.starts.get(p);
    const run = this.runs.get(p);
    if (run) {
      if (this.claimed.get(p) !== this.generation) this.claim(p, run.resumeAtMs);
      return;
    }
    if (!start) {
      if (this.claimed.get(p) !== this.generation) this.claim(p, 0);
      return;
    }
    const fromStart =
      start.owner.memberId === this.memberId && (this.heldSince.get(p) ?? Infinity) <= start.owner.generation;
    const sinceStartMs = Date.now() - start.startAtEpochMs;
    const resumeAtMs = fromStart || sinceStartMs <= 0 ? 0 : Math.ceil(sinceStartMs / 1000) * 1000;
    this.claim(p, resumeAtMs);
    this.runSegment(p, order, start.startAtEpochMs, resumeAtMs);
  }

  private claim(p: number, resumeAtMs: number): void {
    this.claimed.set(p, this.generation);
    this.publish({ type: 'claim', segment: p, resumeAtMs, url: this.me.url });
  }

  private runSegment(p: number, order: WorkOrder, startAtEpochMs: number, resumeAtMs: number): void {
    const run: SegmentRun = {
      abort: new AbortController(),
      recorder: new SegmentRecorder(),
      resumeAtMs,
      order,
      startAtEpochMs,
      abortedFor: null,
      sent: 0,
    };
    this.runs.set(p, run);
    if (this.stopped.has(p)) run.abort.abort();
    void this.attackSegment(p, run).catch((error: unknown) => {
      this.logger.error(
        { err: error, segment: p },
        'worker: segment failed; leaving the test so another worker takes it',
      );
      void this.close();
    });
  }

  private async attackSegment(p: number, run: SegmentRun): Promise<void> {
    const { order } = run;
    if (!this.factory) {
      this.factory = new EventFactory(order.eventMix);
      this.factory.identify(`${order.testId}@${run.startAtEpochMs}`);
    }
    const target = await this.targets.get(p)!;
    const schedule = new SegmentSchedule(Schedule.fromPlan(order.plan), order.segment);
    const outcome = await attack({
      schedule,
      target,
      factory: this.factory,
      recorder: run.recorder,
      startPerfMs: performance.now() + (run.startAtEpochMs - Date.now()),
      startedAtEpochMs: run.startAtEpochMs,
      batchSize: order.batchSize,
      maxLingerMs: order.maxLingerMs,
      maxInFlight: order.maxInFlight,
      lateThresholdMs: order.lateThresholdMs,
      dropAfterMs: order.dropAfterMs,
      signal: run.abort.signal,
      firstEvent: schedule.firstAt(run.resumeAtMs),
    });
    if (this.runs.get(p) === run) this.runs.delete(p);
    // A revoked segment's target left the map at the revocation (a new claim opens its own); close it now.
    if (run.abortedFor === 'revoked') return void target.close().catch(() => undefined);
    this.completed.add(p);
    this.publish({ type: 'done', segment: p, reports: this.drain(run), cost: this.cost(run), outcome });
  }

  private abortRun(p: number, why: 'stop' | 'revoked'): void {
    const run = this.runs.get(p);
    if (!run) return;
    run.abortedFor ??= why;
    run.abort.abort();
    if (why !== 'revoked') return;
    this.runs.delete(p);
    this.targets.delete(p);
    this.warmed.delete(p);
  }

  private closeTarget(p: number): void {
    const target = this.targets.get(p);
    this.targets.delete(p);
    this.warmed.delete(p);
    void target?.then((t) => t.close()).catch(() => undefined);
  }

  private drain(run: SegmentRun) {
    const reports = run.recorder.drain();
    for (const r of reports) run.sent += r.sent;
    return reports;
  }

  /** The worker process's CPU since it joined the test (all its segments: not one thread's). */
  private cost(run: SegmentRun): WorkerCost {
    const cpu = process.cpuUsage(this.cpuAtStart);
    return {
      cpuMs: (cpu.user + cpu.system) / 1000,
      cpuSource: 'process.cpuUsage() of the worker process (all its segments)',
      priority: 'unchanged',
      eventLoopUtilization: performance.eventLoopUtilization().utilization,
      sent: run.sent,
    };
  }

  private lastReportAtMs = Date.now();

  private tick(): void {
    // Three sessions without the group's word: the group has surely given our segments to others; stop sending them.
    if (Date.now() - this.confirmedAtMs > 3 * this.test.sessionTimeoutMs && this.heldSince.size > 0) {
      this.logger.warn({ testId: this.test.testId }, 'worker: no heartbeat for three sessions; stopping its segments');
      this.fenced = true;
      for (const p of [...this.heldSince.keys()]) {
        this.abortRun(p, 'revoked');
        this.heldSince.delete(p);
        this.claimed.delete(p);
      }
    }
    if (Date.now() - this.lastReportAtMs < 1000) return;
    this.lastReportAtMs = Date.now();
    for (const [p, run] of this.runs) {
      const elapsedMs = Date.now() - run.startAtEpochMs;
      const sealBeforeSecond = Math.floor((elapsedMs - run.order.timeoutMs - 2000) / 1000);
      const reports = this.drain(run);
      this.publish({ type: 'report', segment: p, reports, sealBeforeSecond, cost: this.cost(run) });
    }
  }

  private publish(
    body:
      | Omit<Extract<WorkerReport, { type: 'claim' }>, keyof Envelope>
      | Omit<Extract<WorkerReport, { type: 'report' }>, keyof Envelope>
      | Omit<Extract<WorkerReport, { type: 'done' }>, keyof Envelope>,
  ): void {
    const envelope: Envelope = {
      protocol: PROTOCOL_VERSION,
      testId: this.test.testId,
      auth: authFor(this.me.apiToken, this.test.testId),
      worker: this.me.name,
      memberId: this.memberId,
      generation: this.generation,
    };
    this.link
      .send(this.test.resultsTopic, { ...envelope, ...body })
      .catch((error: unknown) => this.logger.warn({ err: error }, 'worker: report not published'));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    for (const p of [...this.runs.keys()]) this.abortRun(p, 'revoked');
    await this.member?.close().catch(() => undefined);
    for (const p of [...this.targets.keys()]) this.closeTarget(p);
    this.onEnd();
  }
}

type Envelope = Pick<WorkerReport, 'protocol' | 'testId' | 'auth' | 'worker' | 'memberId' | 'generation'>;
