// Per-component latency in sliding windows: one HDR histogram per second for 5 min, one per minute for 1 h, merged on demand.
// The pipeline's own components plus a bounded number of user-named ones: each name costs its windows' memory for good.
import { AppError, LatencyHistogram, type LatencySummary } from '@logperf/core';

const SECOND_SLOTS = 300;
const MINUTE_SLOTS = 60;
/** What the cluster's nodes report; always accepted. */
export const PIPELINE_COMPONENTS: readonly string[] = [
  'api-gateway',
  'kafka-produce',
  'queue',
  'store',
  'cache',
  'end-to-end',
];
export const MAX_USER_COMPONENTS = 64;

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

  private slotAt(atMs: number): Slot {
    const at = Math.floor(atMs / this.widthMs);
    const index = at % this.size;
    let slot = this.slots[index];
    if (slot?.at !== at) this.slots[index] = slot = { at, histogram: LatencyHistogram.create({ compact: true }) };
    return slot;
  }

  add(atMs: number, histogram: LatencyHistogram): void {
    this.slotAt(atMs).histogram.merge(histogram);
  }

  recordMs(atMs: number, latencyMs: number): void {
    this.slotAt(atMs).histogram.recordMs(latencyMs);
  }

  /** Merges the slots whose start lies within the last `windowMs` before `nowMs`. */
  mergeInto(target: LatencyHistogram, nowMs: number, windowMs: number): void {
    const newest = Math.floor(nowMs / this.widthMs);
    const oldest = Math.floor((nowMs - windowMs) / this.widthMs);
    for (const slot of this.slots) if (slot && slot.at > oldest && slot.at <= newest) target.merge(slot.histogram);
  }
}

interface Entry {
  seconds: Ring;
  minutes: Ring;
  total: LatencyHistogram;
}

export class LatencyWindows {
  private readonly components = new Map<string, Entry>();
  private userNamed = 0;

  constructor(private readonly maxUserComponents = MAX_USER_COMPONENTS) {}

  /** Throws a 422 naming the limit when `names` would add more user-named components than allowed; adds nothing. */
  admit(names: Iterable<string>): void {
    const added = new Set([...names].filter((n) => !this.components.has(n) && !PIPELINE_COMPONENTS.includes(n)));
    if (this.userNamed + added.size > this.maxUserComponents)
      throw new AppError(
        'UNPROCESSABLE',
        `at most ${this.maxUserComponents} components besides the pipeline's own (${PIPELINE_COMPONENTS.join(', ')}); ` +
          `${this.userNamed} are in use and this request adds ${added.size}`,
        { details: [{ path: 'component', reason: `limit of ${this.maxUserComponents} user-named components` }] },
      );
  }

  /** The component's windows, or undefined when it is a new user-named one past the limit. */
  private entry(component: string): Entry | undefined {
    const known = this.components.get(component);
    if (known) return known;
    const pipeline = PIPELINE_COMPONENTS.includes(component);
    if (!pipeline && this.userNamed >= this.maxUserComponents) return undefined;
    if (!pipeline) this.userNamed++;
    const entry = {
      seconds: new Ring(SECOND_SLOTS, 1000),
      minutes: new Ring(MINUTE_SLOTS, 60_000),
      total: LatencyHistogram.create(),
    };
    this.components.set(component, entry);
    return entry;
  }

  /** Merges an interval histogram (from a scrape); a component past the limit is ignored. */
  add(component: string, histogram: LatencyHistogram, atMs = Date.now()): void {
    const entry = this.entry(component);
    if (!entry) return;
    entry.seconds.add(atMs, histogram);
    entry.minutes.add(atMs, histogram);
    entry.total.merge(histogram);
  }

  /** Records one sample straight into its slots: no histogram per sample. */
  recordMs(component: string, latencyMs: number, atMs = Date.now()): void {
    const entry = this.entry(component);
    if (!entry) return;
    entry.seconds.recordMs(atMs, latencyMs);
    entry.minutes.recordMs(atMs, latencyMs);
    entry.total.recordMs(latencyMs);
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
