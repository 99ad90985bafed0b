// The load generator under its own overload: asked for far more than it can send, or facing a target that never
// answers, it says `saturated`, counts late and dropped events, keeps requests in flight at its limit, and its
// memory does not grow with the backlog it could not send (nothing is queued without bound).
import { describe, expect, it } from 'vitest';
import { attack, type AttackOptions } from '../src/attack.js';
import { EventFactory } from '../src/event-factory.js';
import { constant, Schedule } from '../src/pacer.js';
import { ResultRecorder } from '../src/results.js';
import type { Target } from '../src/target.js';

/** A target in memory: answers after `delayMs` (or when released), and records how many requests it held at once. */
function fakeTarget(delayMs: number) {
  let inFlight = 0;
  let maxInFlight = 0;
  let requests = 0;
  const waiting = new Set<() => void>();
  const target: Target = {
    description: 'in-memory target',
    async send() {
      requests++;
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await new Promise<void>((resolve) => {
        const done = () => (waiting.delete(done), resolve());
        waiting.add(done);
        if (Number.isFinite(delayMs)) setTimeout(done, delayMs);
      });
      inFlight--;
      return 'ack';
    },
    async close() {
      for (const release of [...waiting]) release();
      await Promise.resolve();
    },
  };
  return { target, maxInFlight: () => maxInFlight, requests: () => requests };
}

async function overload(
  ratePerSecond: number,
  seconds: number,
  target: Target,
  overrides: Partial<AttackOptions> = {},
) {
  const schedule = new Schedule([{ name: 'constant', shape: constant(ratePerSecond, seconds * 1000) }]);
  const recorder = new ResultRecorder(['constant']);
  globalThis.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  let heapMax = heapBefore;
  const sampler = setInterval(() => (heapMax = Math.max(heapMax, process.memoryUsage().heapUsed)), 50);
  const outcome = await attack({
    schedule,
    target,
    factory: new EventFactory(),
    recorder,
    batchSize: 100,
    maxLingerMs: 5,
    maxInFlight: 64,
    lateThresholdMs: 10,
    dropAfterMs: 1000,
    timeoutMs: 10_000,
    signal: AbortSignal.timeout(seconds * 1000 + 10_000),
    ...overrides,
  });
  clearInterval(sampler);
  return { outcome, totals: recorder.totals(), heapGrowthBytes: heapMax - heapBefore };
}

describe('load generator under its own overload', () => {
  it('asked for 1,000,000 events/s it cannot make, it reports saturated, drops what it fell behind on, and stays in bounded memory', async () => {
    const fake = fakeTarget(0);
    const { outcome, totals, heapGrowthBytes } = await overload(1_000_000, 4, fake.target);
    console.log(
      JSON.stringify({
        intended: totals.intended,
        sent: totals.sent,
        dropped: totals.dropped,
        late: totals.late,
        maxSchedulingLagMs: Math.round(outcome.maxSchedulingLagMs),
        heapGrowthMiB: Math.round(heapGrowthBytes / 1048576),
      }),
    );
    expect(outcome.saturated).toBe(true);
    expect(outcome.saturatedAtMs).toBeLessThan(1000);
    expect(totals.intended).toBe(4_000_000);
    expect(totals.sent).toBeLessThan(totals.intended);
    expect(totals.dropped).toBeGreaterThan(0);
    expect(totals.sent + totals.dropped).toBe(totals.intended);
    expect(totals.late).toBeGreaterThan(0);
    // Dropping keeps the backlog to what is due within dropAfterMs: the schedule is not materialised, memory stays flat.
    expect(heapGrowthBytes).toBeLessThan(200 * 1024 * 1024);
    // It never ran more than dropAfterMs (1 s) plus a batch behind for long: the finish is close to the schedule's end.
    expect(outcome.elapsedMs).toBeLessThan(4000 + 3000);
  }, 30_000);

  it('facing a target that never answers, it keeps at most maxInFlight requests open and drops the rest instead of queueing them', async () => {
    const fake = fakeTarget(Number.POSITIVE_INFINITY);
    const controller = new AbortController();
    const running = overload(20_000, 3, fake.target, { signal: controller.signal, maxInFlight: 16 });
    await new Promise((resolve) => setTimeout(resolve, 3500));
    controller.abort();
    await fake.target.close();
    const { outcome, totals } = await running;
    expect(fake.maxInFlight()).toBe(16);
    expect(fake.requests()).toBe(16);
    expect(totals.sent).toBe(16 * 100);
    expect(totals.dropped).toBe(totals.intended - totals.sent);
    expect(totals.dropped).toBeGreaterThan(50_000);
    expect(outcome.stoppedEarly).toBe(true);
  }, 30_000);
});
