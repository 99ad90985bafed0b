// The open-loop attack against local sinks: rate accuracy, and latency that a stalling target cannot hide.
import { describe, expect, it } from 'vitest';
import { attack, type AttackOptions } from '../src/attack.js';
import { EventFactory } from '../src/event-factory.js';
import { constant, Schedule } from '../src/pacer.js';
import { ResultRecorder } from '../src/results.js';
import { httpTarget } from '../src/target.js';
import { startSink, type SinkBehaviour } from './sink.js';

async function run(
  ratePerSecond: number,
  seconds: number,
  batchSize: number,
  behaviour: SinkBehaviour = {},
  overrides: Partial<AttackOptions> = {},
) {
  const sink = await startSink(behaviour);
  const schedule = new Schedule([{ name: 'constant', shape: constant(ratePerSecond, seconds * 1000) }]);
  const recorder = new ResultRecorder(['constant']);
  const target = httpTarget(new URL(sink.url), { connections: 64, timeoutMs: 10_000 });
  const outcome = await attack({
    schedule,
    target,
    factory: new EventFactory(),
    recorder,
    batchSize,
    maxLingerMs: 5,
    maxInFlight: 64,
    lateThresholdMs: 10,
    dropAfterMs: 5000,
    timeoutMs: 10_000,
    signal: new AbortController().signal,
    ...overrides,
  });
  await target.close();
  await sink.close();
  return { outcome, recorder, sinkEvents: sink.events(), totals: recorder.totals(), timeline: recorder.timeline() };
}

describe('open-loop attack', () => {
  it.each([
    [1000, 10],
    [5000, 50],
    [20_000, 100],
  ])(
    'keeps %i events/s within ±1%% in every full second',
    async (rate, batchSize) => {
      const { totals, timeline, sinkEvents, outcome } = await run(rate, 4, batchSize);
      expect(totals.intended).toBe(rate * 4);
      expect(totals.acknowledged).toBe(rate * 4);
      expect(sinkEvents).toBe(rate * 4);
      expect(totals.dropped).toBe(0);
      const fullSeconds = timeline.filter((s) => s.second < 4);
      expect(fullSeconds).toHaveLength(4);
      for (const second of fullSeconds) {
        expect(Math.abs(second.sent - rate) / rate).toBeLessThanOrEqual(0.01);
      }
      // A shared 2-core machine may pause the loop now and then; the schedule must still never fall far behind.
      expect(outcome.maxSchedulingLagMs).toBeLessThan(250);
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

  it('a sink too slow for the rate shows saturation and late events, not a falsely low latency', async () => {
    const { totals, outcome } = await run(3000, 3, 1, { delayMs: () => 50 });
    expect(outcome.saturated).toBe(true);
    expect(outcome.saturatedAtMs).not.toBeNull();
    expect(totals.late).toBeGreaterThan(1000);
    expect(totals.latencyMs.p99).toBeGreaterThan(500);
    expect(totals.intended).toBe(totals.sent + totals.dropped);
  }, 30_000);

  it('stopping mid-test drops what was due and unsent, and intends nothing after the stop', async () => {
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 1000);
    const { totals, outcome } = await run(2000, 5, 20, {}, { signal: abort.signal });
    expect(outcome.stoppedEarly).toBe(true);
    expect(totals.intended).toBeGreaterThan(1800);
    expect(totals.intended).toBeLessThan(2300);
    expect(totals.intended).toBe(totals.sent + totals.dropped);
  }, 30_000);
});
