// The load generator under its own overload: asked for far more than it can send it is generator-limited (late and
// dropped by its own doing); facing a target that never answers it keeps requests in flight at its limit and the
// drops are the target's. Either way memory does not grow with the backlog (nothing is queued without bound).
// Runs inline (an in-memory target cannot cross to a generator thread); the attack is the same code.
import { describe, expect, it } from 'vitest';
import type { AttackOptions } from '../src/attack.js';
import { constant, Schedule } from '../src/pacer.js';
import type { Target } from '../src/target.js';
import { GENERATOR_LIMIT_SHARE, generatorShare } from '../src/verdict.js';
import { runInline } from './run-generator.js';
import { sleep } from '@logperf/core';

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
  globalThis.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  let heapMax = heapBefore;
  const sampler = setInterval(() => (heapMax = Math.max(heapMax, process.memoryUsage().heapUsed)), 50);
  const { outcome, totals } = await runInline(schedule, target, {
    dropAfterMs: 1000,
    signal: AbortSignal.timeout(seconds * 1000 + 10_000),
    ...overrides,
  });
  clearInterval(sampler);
  return { outcome, totals, heapGrowthBytes: heapMax - heapBefore };
}

describe('load generator under its own overload', () => {
  it('asked for 1,000,000 events/s it cannot make, it is generator-limited, drops what it fell behind on, and stays in bounded memory', async () => {
    const fake = fakeTarget(0);
    // One event per request: 1,000,000 sends a second. In batches of 100 (10,000 sends/s) the generator thread now
    // keeps up with an in-memory target on an idle machine, which is no overload at all.
    const { outcome, totals, heapGrowthBytes } = await overload(1_000_000, 4, fake.target, { batchSize: 1 });
    console.log(
      JSON.stringify({
        intended: totals.intended,
        sent: totals.sent,
        dropped: totals.dropped,
        generatorDropped: totals.generatorDropped,
        late: totals.late,
        generatorLate: totals.generatorLate,
        maxScheduleLagMs: Math.round(outcome.maxScheduleLagMs),
        heapGrowthMiB: Math.round(heapGrowthBytes / 1048576),
      }),
    );
    expect(totals.intended).toBe(4_000_000);
    expect(totals.sent).toBeLessThan(totals.intended);
    expect(totals.dropped).toBeGreaterThan(0);
    expect(totals.sent + totals.dropped).toBe(totals.intended);
    // Its own shortfall (late or dropped by its own doing) is what makes the run invalid below.
    expect(totals.generatorLate + totals.generatorDropped).toBeGreaterThan(0);
    // The target answered at once, so the run is generator-limited (invalid). Some waits at the cap still count as the
    // target's: this in-memory target's answers wait for the generator's own busy loop, which no split can see.
    expect(generatorShare(totals)).toBeGreaterThan(GENERATOR_LIMIT_SHARE);
    // Dropping keeps the backlog to what is due within dropAfterMs: the schedule is not materialised, memory stays flat.
    expect(heapGrowthBytes).toBeLessThan(200 * 1024 * 1024);
    // It never ran more than dropAfterMs (1 s) plus a batch behind for long: the finish is close to the schedule's end.
    expect(outcome.elapsedMs).toBeLessThan(4000 + 3000);
  }, 30_000);

  it('facing a target that never answers, it keeps at most maxInFlight requests open and drops the rest as the target’s doing', async () => {
    const fake = fakeTarget(Number.POSITIVE_INFINITY);
    const controller = new AbortController();
    const running = overload(20_000, 3, fake.target, { signal: controller.signal, maxInFlight: 16 });
    await sleep(3500);
    controller.abort();
    await fake.target.close();
    const { outcome, totals } = await running;
    expect(fake.maxInFlight()).toBe(16);
    expect(fake.requests()).toBe(16);
    expect(totals.sent).toBe(16 * 100);
    expect(totals.dropped).toBe(totals.intended - totals.sent);
    expect(totals.dropped).toBeGreaterThan(50_000);
    expect(totals.generatorDropped).toBe(0);
    expect(outcome.targetLimitedAtMs).not.toBeNull();
    expect(outcome.stoppedEarly).toBe(true);
  }, 30_000);
});
