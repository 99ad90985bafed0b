// One open-loop run of our generator at a constant rate, one event per request unless told otherwise, on its own
// worker thread (the path `logperf` uses), merged by the coordinator's ResultRecorder.
import { DEFAULT_MIX } from '../services/loadgen/src/event-factory.js';
import { generatorCost } from '../services/loadgen/src/generator-cost.js';
import { runGenerators } from '../services/loadgen/src/generator-threads.js';
import { constant, Schedule } from '../services/loadgen/src/pacer.js';
import { ResultRecorder } from '../services/loadgen/src/results.js';

export async function runGenerator(o: {
  url: string;
  ratePerSecond: number;
  seconds: number;
  connections: number;
  batchSize?: number;
}) {
  const schedule = new Schedule([{ name: 'constant', shape: constant(o.ratePerSecond, o.seconds * 1000) }]);
  const recorder = new ResultRecorder(['constant']);
  const run = runGenerators(
    [
      {
        testId: 'bench',
        plan: schedule.plan(),
        segment: { index: 0, count: 1 },
        target: {
          kind: 'http',
          url: `${o.url}/api/logs`,
          connections: o.connections,
          timeoutMs: 10_000,
          testId: 'bench',
        },
        eventMix: DEFAULT_MIX,
        batchSize: o.batchSize ?? 1,
        maxLingerMs: 5,
        maxInFlight: o.connections,
        lateThresholdMs: 10,
        dropAfterMs: 5000,
        timeoutMs: 10_000,
      },
    ],
    recorder,
  );
  const ends = await run.done;
  if (ends[0]?.crashed) throw new Error(ends[0].crashed);
  const cost = generatorCost(ends.map((e) => e.cost));
  return { ...recorder.totals(), cpuMicrosPerEvent: cost?.cpuMicrosPerEvent ?? null };
}
