// A generator thread: runs its segment of one schedule against its target, on its own event loop, and reports each
// second's counts and HDR histograms (plus its own CPU and loop use) to the coordinator that started it.
import { readFileSync, readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { attack } from './attack.js';
import { EventFactory } from './event-factory.js';
import { Schedule } from './pacer.js';
import { SegmentRecorder } from './second-report.js';
import { SegmentSchedule } from './segment.js';
import { openTarget } from './target.js';
import { workOrderSchema, type CoordinatorMessage, type WorkerCost, type WorkerMessage } from './work-order.js';

const CPU_SOURCE = '/proc/thread-self/stat (utime + stime of the generator thread)';
const TICKS_PER_SECOND = 100;

/** This thread's CPU time so far in ms, or null off Linux. */
function threadCpuMs(): number | null {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** Nice value the thread asks for: ahead of the system it measures when both share a host's cores. */
const GENERATOR_NICE = -10;

/**
 * Raises this thread's CPU priority (Linux: setpriority on the thread id), so that on a host it shares with the
 * cluster the generator's timers are served when due. Needs CAP_SYS_NICE; without it the priority stays as it was.
 */
function raisePriority(): string {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').at(-1));
    setPriority(tid, GENERATOR_NICE);
    return `nice ${GENERATOR_NICE}`;
  } catch (error) {
    return `unchanged (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
  }
}

async function main(): Promise<void> {
  const port = parentPort!;
  const order = workOrderSchema.parse(workerData);
  const post = (message: WorkerMessage) => port.postMessage(message);
  const abort = new AbortController();
  let started: (startAtEpochMs: number) => void = () => undefined;
  const startAt = new Promise<number>((resolve) => (started = resolve));
  port.on('message', (message: CoordinatorMessage) => {
    if (message.type === 'stop') abort.abort();
    if (message.type === 'start') started(message.startAtEpochMs);
  });
  const schedule = new SegmentSchedule(Schedule.fromPlan(order.plan), order.segment);
  const factory = new EventFactory(order.eventMix);
  const recorder = new SegmentRecorder();
  const target = await openTarget(order.target);
  const priority = raisePriority();
  await target.warm?.();
  let cpuAtStart: number | null = null;
  let eluAtStart = performance.eventLoopUtilization();
  let sent = 0;
  const cost = (): WorkerCost => {
    const cpuNow = threadCpuMs();
    return {
      cpuMs: cpuNow === null || cpuAtStart === null ? null : cpuNow - cpuAtStart,
      cpuSource: CPU_SOURCE,
      priority,
      eventLoopUtilization: performance.eventLoopUtilization(eluAtStart).utilization,
      sent,
    };
  };
  const drain = () => {
    const reports = recorder.drain();
    for (const r of reports) sent += r.sent;
    return reports;
  };
  post({ type: 'ready' });
  const startAtEpochMs = await Promise.race([
    startAt,
    new Promise<number>((resolve) =>
      abort.signal.aborted ? resolve(Date.now()) : abort.signal.addEventListener('abort', () => resolve(Date.now())),
    ),
  ]);
  factory.identify(`${order.testId}@${startAtEpochMs}`);
  // Cost counts from the schedule's start: the thread's start-up (loading modules) is not the cost of an event.
  cpuAtStart = threadCpuMs();
  eluAtStart = performance.eventLoopUtilization();
  // The schedule's zero on this thread's clock: the wall-clock start shared by all workers of the test.
  const startPerfMs = performance.now() + (startAtEpochMs - Date.now());
  const reporter = setInterval(() => {
    const elapsedMs = performance.now() - startPerfMs;
    const sealBeforeSecond = Math.floor((elapsedMs - order.timeoutMs - 2000) / 1000);
    post({ type: 'report', reports: drain(), sealBeforeSecond, cost: cost() });
  }, 1000);
  try {
    const outcome = await attack({
      schedule,
      target,
      factory,
      recorder,
      startPerfMs,
      startedAtEpochMs: startAtEpochMs,
      batchSize: order.batchSize,
      maxLingerMs: order.maxLingerMs,
      maxInFlight: order.maxInFlight,
      lateThresholdMs: order.lateThresholdMs,
      dropAfterMs: order.dropAfterMs,
      signal: abort.signal,
    });
    clearInterval(reporter);
    post({ type: 'done', reports: drain(), cost: cost(), outcome });
  } finally {
    clearInterval(reporter);
    await target.close().catch(() => undefined);
  }
}

main().catch((error: unknown) => {
  parentPort?.postMessage({ type: 'failed', message: (error as Error).message } satisfies WorkerMessage);
});
