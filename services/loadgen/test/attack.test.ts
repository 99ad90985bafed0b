// The open-loop attack on its generator thread against local sinks: rate accuracy, and latency that a stalling
// target cannot hide.
import { describe, expect, it } from 'vitest';
import { constant, Schedule } from '../src/pacer.js';
import { runOnThreads, type ThreadRunOptions } from './run-generator.js';
import { startSink, type SinkBehaviour } from './sink.js';

async function run(
  ratePerSecond: number,
  seconds: number,
  batchSize: number,
  behaviour: SinkBehaviour = {},
  options: Partial<ThreadRunOptions> = {},
) {
  const sink = await startSink(behaviour);
  const schedule = new Schedule([{ name: 'constant', shape: constant(ratePerSecond, seconds * 1000) }]);
  const result = await runOnThreads(schedule, { url: `${sink.url}/api/logs`, batchSize, ...options });
  await sink.close();
  return { ...result, end: result.ends[0]!, sinkEvents: sink.events(), testIds: sink.testIds() };
}

describe('open-loop attack', () => {
  it.each([
    [1000, 10],
    [5000, 50],
    [20_000, 100],
  ])(
    'keeps %i events/s within ±1%% in every full second',
    async (rate, batchSize) => {
      const { totals, timeline, sinkEvents, end, testIds } = await run(rate, 4, batchSize);
      expect(end.crashed).toBeNull();
      expect(totals.intended).toBe(rate * 4);
      expect(totals.acknowledged).toBe(rate * 4);
      expect(sinkEvents).toBe(rate * 4);
      expect(testIds).toEqual(['test']);
      expect(totals.dropped).toBe(0);
      const fullSeconds = timeline.filter((s) => s.second < 4);
      expect(fullSeconds).toHaveLength(4);
      for (const second of fullSeconds) {
        expect(Math.abs(second.sent - rate) / rate).toBeLessThanOrEqual(0.01);
      }
      // A shared 2-core machine may pause the loop now and then; the schedule must still never fall far behind.
      expect(end.maxScheduleLagMs).toBeLessThan(250);
      expect(end.cost?.sent).toBe(rate * 4);
    },
    30_000,
  );

  it('measures from the intended time: a sink pausing 1 s in every 5 s shows p99 ≥ 800 ms while service time stays small', async () => {
    const stallEveryFiveSeconds = (sinceStartMs: number) => {
      const inCycle = sinceStartMs % 5000;
      return inCycle >= 1000 && inCycle < 2000 ? 2000 - inCycle : 0;
    };
    const { totals } = await run(500, 10, 1, { delayMs: stallEveryFiveSeconds });
    expect(totals.acknowledged).toBe(5000);
    expect(totals.latencyMs.p99).toBeGreaterThanOrEqual(800);
    expect(totals.serviceTimeMs.p50).toBeLessThan(20);
    expect(totals.late).toBeGreaterThan(0);
  }, 30_000);

  it('a sink too slow for the rate makes the run target-limited (late at the in-flight cap), not generator-limited', async () => {
    const { totals, end } = await run(3000, 3, 1, { delayMs: () => 50 });
    expect(end.targetLimitedAtMs).not.toBeNull();
    expect(totals.late).toBeGreaterThan(1000);
    // The waits were at the cap: the generator's own share of the lateness is a small part of it.
    expect(totals.generatorLate).toBeLessThan(totals.late / 10);
    expect(totals.latencyMs.p99).toBeGreaterThan(500);
    expect(totals.intended).toBe(totals.sent + totals.dropped);
  }, 30_000);

  it('stopping mid-test drops what was due and unsent, and intends nothing after the stop', async () => {
    const { totals, end } = await run(2000, 5, 20, {}, { stopAfterMs: 1000 });
    expect(end.stoppedEarly).toBe(true);
    expect(totals.intended).toBeGreaterThan(1800);
    expect(totals.intended).toBeLessThan(2300);
    expect(totals.intended).toBe(totals.sent + totals.dropped);
  }, 30_000);
});
