// The coordinator's side of the generator: starts one worker thread per segment of the schedule, adds their
// per-second reports into the test's ResultRecorder, and says how each worker ended. A worker that crashes is not
// restarted (its in-flight events cannot be re-sent without sending some twice): the run is reported invalid.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ResultRecorder } from './results.js';
import { workerMessageSchema, type CoordinatorMessage, type WorkerCost, type WorkOrder } from './work-order.js';
import { WorkerTallies } from './worker-tally.js';
import type { WorkerSummary } from '@logperf/measurements';

export interface WorkerEnd {
  index: number;
  cost: WorkerCost | null;
  /** Why the worker ended without finishing its segment, else null. */
  crashed: string | null;
  elapsedMs: number;
  stoppedEarly: boolean;
  generatorLateAtMs: number | null;
  targetLimitedAtMs: number | null;
  maxScheduleLagMs: number;
}

export interface GeneratorRun {
  /** Every worker's end, once all have ended. */
  done: Promise<WorkerEnd[]>;
  /** The schedule's time zero (epoch ms), once every worker is ready. */
  started: Promise<number>;
  stop(): void;
  /** The workers' cost so far. */
  costs(): (WorkerCost | null)[];
  /** Per worker (thread or remote process): its segments and its own figures. */
  workers(): WorkerSummary[];
  /** Reports ignored: fenced out (not the segment's current owner and generation), refused or unreadable. */
  rejectedReports(): number;
}

/** Compiled, the worker is a sibling .js file; from TypeScript sources (tests, benches) it loads through tsx. */
function spawn(order: WorkOrder): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./generator-worker.js', here), { workerData: order });
  // require.resolve gives tsx's CommonJS entry; its ESM twin (the package's `import` export) sits beside it.
  const tsx = pathToFileURL(
    createRequire(here)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href;
  const entry = new URL('./generator-worker.ts', here).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(boot, { eval: true, workerData: order });
}

/** Starts the workers; once all are ready (target open), they start together a few ms later. */
export function runGenerators(orders: readonly WorkOrder[], recorder: ResultRecorder): GeneratorRun {
  let ready = 0;
  let started: (startAtEpochMs: number) => void = () => undefined;
  const startedAt = new Promise<number>((resolve) => (started = resolve));
  const costs: (WorkerCost | null)[] = orders.map(() => null);
  const watermarks = orders.map(() => Number.NEGATIVE_INFINITY);
  const workers: Worker[] = [];
  const tallies = new WorkerTallies();
  const ends = orders.map((order, index) => {
    const worker = spawn(order);
    const name = `thread-${index}`;
    tallies.holds(name, order.segment.index);
    workers.push(worker);
    return new Promise<WorkerEnd>((resolve) => {
      const end: WorkerEnd = {
        index,
        cost: null,
        crashed: null,
        elapsedMs: 0,
        stoppedEarly: false,
        generatorLateAtMs: null,
        targetLimitedAtMs: null,
        maxScheduleLagMs: 0,
      };
      let finished = false;
      const finish = (crashed: string | null) => {
        if (finished) return;
        finished = true;
        end.crashed = crashed;
        end.cost = costs[index] ?? null;
        watermarks[index] = Number.POSITIVE_INFINITY;
        void worker.terminate();
        // One thread down ends the test for all: the others stop (and never wait for a start that cannot come).
        if (crashed !== null) stopAll();
        resolve(end);
      };
      worker.on('message', (raw: unknown) => {
        const message = workerMessageSchema.parse(raw);
        if (message.type === 'ready') {
          if (++ready === orders.length) {
            const start: CoordinatorMessage = { type: 'start', startAtEpochMs: Date.now() + 5 };
            workers.forEach((w) => w.postMessage(start));
            started(start.startAtEpochMs);
          }
          return;
        }
        if (message.type === 'failed') return finish(`generator worker ${index} failed: ${message.message}`);
        for (const report of message.reports) recorder.merge(report);
        tallies.add(name, message.reports);
        costs[index] = message.cost;
        if (message.type === 'report') {
          watermarks[index] = message.sealBeforeSecond;
          recorder.seal(Math.min(...watermarks));
          return;
        }
        Object.assign(end, message.outcome);
        tallies.scheduleLag(name, message.outcome.maxScheduleLagMs);
        finish(null);
      });
      worker.on('error', (error) => finish(`generator worker ${index} crashed: ${error.message}`));
      worker.on('exit', (code) => finish(`generator worker ${index} exited (code ${code}) before finishing`));
    });
  });
  function stopAll() {
    for (const w of workers) w.postMessage({ type: 'stop' } satisfies CoordinatorMessage);
  }
  return {
    done: Promise.all(ends),
    started: startedAt,
    stop: stopAll,
    costs: () => [...costs],
    workers: () => tallies.list(),
    rejectedReports: () => 0,
  };
}
