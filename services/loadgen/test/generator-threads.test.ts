// Generator threads as the coordinator sees them: several share one schedule exactly, and one that fails is reported.
import { describe, expect, it } from 'vitest';
import { DEFAULT_MIX } from '../src/event-factory.js';
import { runGenerators } from '../src/generator-threads.js';
import { constant, Schedule } from '../src/pacer.js';
import { ResultRecorder } from '../src/results.js';
import { verdictOf } from '../src/verdict.js';
import type { WorkOrder } from '../src/work-order.js';
import { runOnThreads } from './run-generator.js';
import { startSink } from './sink.js';

describe('generator threads', () => {
  it('three threads share a schedule: every intended event sent once, acknowledged and counted by the sink', async () => {
    const sink = await startSink();
    const schedule = new Schedule([{ name: 'constant', shape: constant(1500, 2000) }]);
    const { ends, totals } = await runOnThreads(schedule, { url: `${sink.url}/api/logs`, batchSize: 10, threads: 3 });
    await sink.close();
    expect(ends.map((e) => e.crashed)).toEqual([null, null, null]);
    expect(totals).toMatchObject({ intended: 3000, sent: 3000, acknowledged: 3000, dropped: 0 });
    expect(sink.events()).toBe(3000);
    expect(ends.map((e) => e.cost?.sent)).toEqual([1000, 1000, 1000]);
  }, 30_000);

  it('a thread that cannot start its segment is reported, and the run is invalid with that reason', async () => {
    const schedule = new Schedule([{ name: 'constant', shape: constant(100, 1000) }]);
    const order: WorkOrder = {
      testId: 'bad',
      plan: schedule.plan(),
      segment: { index: 0, count: 1 },
      target: { kind: 'http', url: 'not a url', connections: 1, timeoutMs: 1000, testId: 'bad' },
      eventMix: DEFAULT_MIX,
      batchSize: 1,
      maxLingerMs: 5,
      maxInFlight: 1,
      lateThresholdMs: 10,
      dropAfterMs: 1000,
      timeoutMs: 1000,
    };
    const [end] = await runGenerators([order], new ResultRecorder(['constant'])).done;
    expect(end!.crashed).toMatch(/^generator worker 0 failed: .*URL/);
    const verdict = verdictOf({
      generatorFailures: [end!.crashed!],
      intended: 0,
      late: 0,
      generatorLate: 0,
      generatorDropped: 0,
      targetLimitedAtSeconds: null,
      maxScheduleLagMs: 0,
      thresholds: [],
    });
    expect(verdict).toEqual({ status: 'invalid', reason: end!.crashed });
  }, 30_000);

  it('when one of two threads cannot start, the other stops too instead of waiting for a start that cannot come', async () => {
    const sink = await startSink();
    const schedule = new Schedule([{ name: 'constant', shape: constant(200, 20_000) }]);
    const order = (index: number, url: string): WorkOrder => ({
      testId: 'half',
      plan: schedule.plan(),
      segment: { index, count: 2 },
      target: { kind: 'http', url, connections: 2, timeoutMs: 1000, testId: 'half' },
      eventMix: DEFAULT_MIX,
      batchSize: 1,
      maxLingerMs: 5,
      maxInFlight: 2,
      lateThresholdMs: 10,
      dropAfterMs: 1000,
      timeoutMs: 1000,
    });
    const begun = Date.now();
    const ends = await runGenerators(
      [order(0, `${sink.url}/api/logs`), order(1, 'not a url')],
      new ResultRecorder(['constant']),
    ).done;
    await sink.close();
    expect(ends[1]!.crashed).toMatch(/^generator worker 1 failed/);
    expect(ends[0]).toMatchObject({ crashed: null, stoppedEarly: true });
    // Far less than the 20 s schedule: the healthy thread was stopped, not left to run or to wait.
    expect(Date.now() - begun).toBeLessThan(15_000);
    expect(sink.events()).toBe(0);
  }, 30_000);
});
