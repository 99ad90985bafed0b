import { afterEach, describe, expect, it } from 'vitest';
import { CpuPerEventMeter } from '../src/node/cpu-per-event.js';

/** Spins for `ms` of wall time, which on an otherwise idle thread is about as much CPU. */
function burn(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) Math.sqrt(Math.random());
}

describe('CpuPerEventMeter', () => {
  const meters: CpuPerEventMeter[] = [];
  afterEach(() => meters.splice(0).forEach((m) => m.stop()));

  it('is null with a reason while no event passed', () => {
    const meter = new CpuPerEventMeter('gateway', () => 0);
    meters.push(meter);
    burn(5);
    meter.sample();
    const s = meter.snapshot();
    expect(s.lastIntervalUs).toBeNull();
    expect(s.sinceStartUs).toBeNull();
    expect(s.unavailable.sinceStartUs).toMatch(/no events/);
  });

  it('divides the CPU spent in the interval by the events of the interval', () => {
    let events = 0;
    const meter = new CpuPerEventMeter('processor', () => events);
    meters.push(meter);
    meter.sample();
    burn(40);
    events += 100;
    meter.sample();
    const s = meter.snapshot();
    // 40 ms of spinning over 100 events is at least a few hundred µs each; it cannot exceed the wall time per event by much.
    expect(s.lastIntervalUs).toBeGreaterThan(100);
    expect(s.lastIntervalUs).toBeLessThan(5_000);
    expect(s.processRoles).toEqual(['processor']);
  });

  it('lists every role sharing the process', () => {
    meters.push(new CpuPerEventMeter('gateway', () => 0), new CpuPerEventMeter('processor', () => 0));
    expect(meters[1]!.snapshot().processRoles).toEqual(['gateway', 'processor']);
  });
});
