// Per-component latency in sliding windows: one HDR histogram per second for 5 min, one per minute for 1 h, merged on demand.
import { LatencyHistogram, type LatencySummary } from '@logperf/core';

const SECOND_SLOTS = 300;
const MINUTE_SLOTS = 60;

interface Slot {
  at: number;
  histogram: LatencyHistogram;
}

class Ring {
  private readonly slots: (Slot | undefined)[];
  constructor(
    private readonly size: number,
    private readonly widthMs: number,
  ) {
    this.slots = new Array<Slot | undefined>(size);
  }

  add(atMs: number, histogram: LatencyHistogram): void {
    const at = Math.floor(atMs / this.widthMs);
    const index = at % this.size;
    let slot = this.slots[index];
    if (slot?.at !== at) this.slots[index] = slot = { at, histogram: LatencyHistogram.create({ compact: true }) };
    slot.histogram.merge(histogram);
  }

  /** Merges the slots whose start lies within the last `windowMs` before `nowMs`. */
  mergeInto(target: LatencyHistogram, nowMs: number, windowMs: number): void {
    const newest = Math.floor(nowMs / this.widthMs);
    const oldest = Math.floor((nowMs - windowMs) / this.widthMs);
    for (const slot of this.slots) if (slot && slot.at > oldest && slot.at <= newest) target.merge(slot.histogram);
  }
}

export class LatencyWindows {
  private readonly components = new Map<string, { seconds: Ring; minutes: Ring; total: LatencyHistogram }>();

  add(component: string, histogram: LatencyHistogram, atMs = Date.now()): void {
    let entry = this.components.get(component);
    if (!entry)
      this.components.set(
        component,
        (entry = {
          seconds: new Ring(SECOND_SLOTS, 1000),
          minutes: new Ring(MINUTE_SLOTS, 60_000),
          total: LatencyHistogram.create(),
        }),
      );
    entry.seconds.add(atMs, histogram);
    entry.minutes.add(atMs, histogram);
    entry.total.merge(histogram);
  }

  recordMs(component: string, latencyMs: number, atMs = Date.now()): void {
    const one = LatencyHistogram.create();
    one.recordMs(latencyMs);
    this.add(component, one, atMs);
  }

  names(): string[] {
    return [...this.components.keys()].sort();
  }

  /** Up to 5 min from per-second slots; longer windows (up to 1 h) from per-minute slots. */
  merged(component: string, windowSeconds: number, nowMs = Date.now()): LatencyHistogram {
    const merged = LatencyHistogram.create();
    const entry = this.components.get(component);
    if (!entry) return merged;
    const windowMs = windowSeconds * 1000;
    if (windowSeconds <= SECOND_SLOTS) entry.seconds.mergeInto(merged, nowMs, windowMs);
    else entry.minutes.mergeInto(merged, nowMs, windowMs);
    return merged;
  }

  summaries(windowSeconds: number, nowMs = Date.now()): Record<string, LatencySummary> {
    return Object.fromEntries(this.names().map((name) => [name, this.merged(name, windowSeconds, nowMs).summary()]));
  }

  /** Everything since start, per component: what the Prometheus histogram exposes. */
  totals(): Map<string, LatencyHistogram> {
    return new Map([...this.components].map(([name, entry]) => [name, entry.total]));
  }
}
