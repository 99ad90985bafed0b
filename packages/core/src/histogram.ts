// HDR latency histogram: 1 µs – 1 h, 3 significant digits, mergeable, in the standard compressed base64 form.
import * as hdr from 'hdr-histogram-js';

const LOWEST_MICROS = 1;
const HIGHEST_MICROS = 3_600_000_000;
const SIGNIFICANT_DIGITS = 3;

/** Prometheus latency buckets in seconds, 0.5 ms – 30 s: the nodes and the monitor export the same, so series sum. */
export const LATENCY_BUCKETS_SECONDS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

export interface LatencySummary {
  count: number;
  minMs: number;
  meanMs: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
}

interface RecordedValues {
  reset(): void;
  hasNext(): boolean;
  next(): { valueIteratedTo: number; countAtValueIteratedTo: number };
}

/**
 * Two layouts: 32-bit counts (≈ 90 KB, fast to record into) for histograms that are written all the time, and
 * packed (a few KB while sparse, but ~50× slower to record into) for the many that are kept, such as window slots.
 */
function build(compact = false): hdr.Histogram {
  return hdr.build({
    lowestDiscernibleValue: LOWEST_MICROS,
    highestTrackableValue: HIGHEST_MICROS,
    numberOfSignificantValueDigits: SIGNIFICANT_DIGITS,
    bitBucketSize: compact ? 'packed' : 32,
    useWebAssembly: false,
  });
}

function clampMicros(micros: number): number {
  if (!Number.isFinite(micros) || micros < LOWEST_MICROS) return LOWEST_MICROS;
  return Math.min(Math.round(micros), HIGHEST_MICROS);
}

/** The bucket-level view of hdr's JS histograms (all built alike here: same range and precision). */
interface IndexedCounts {
  totalCount: number;
  maxValue: number;
  minNonZeroValue: number;
  countsArrayLength: number;
  countsArrayIndex(value: number): number;
  getCountAtIndex(index: number): number;
  addToCountAtIndex(index: number, count: number): void;
  setTotalCount(count: number): void;
  updatedMaxValue(value: number): void;
  updateMinNonZeroValue(value: number): void;
}

/** Latencies are recorded in microseconds and reported in milliseconds. */
export class LatencyHistogram {
  private constructor(private readonly hist: hdr.Histogram) {}

  static create(options: { compact?: boolean } = {}): LatencyHistogram {
    return new LatencyHistogram(build(options.compact));
  }

  /** Decodes the standard HdrHistogram compressed base64 form (as HdrHistogram Java/Go/JS emit it). */
  static decode(base64: string): LatencyHistogram {
    const decoded = hdr.decodeFromCompressedBase64(base64, 32, false);
    const hist = build();
    hist.add(decoded);
    decoded.destroy();
    return new LatencyHistogram(hist);
  }

  recordMs(ms: number, count = 1): void {
    this.recordMicros(ms * 1000, count);
  }

  recordMicros(micros: number, count = 1): void {
    this.hist.recordValueWithCount(clampMicros(micros), count);
  }

  /**
   * Adds `other`'s counts. hdr's add() reads every bucket of `other` (~23k; 9 ms for a packed window slot, measured),
   * so only the buckets between its smallest and largest value are read: a slot holding a few samples costs microseconds.
   */
  merge(other: LatencyHistogram): this {
    const from = other.hist as unknown as IndexedCounts;
    const into = this.hist as unknown as IndexedCounts;
    if (from.totalCount === 0) return this;
    if (from.countsArrayLength !== into.countsArrayLength) {
      this.hist.add(other.hist);
      return this;
    }
    const first = from.countsArrayIndex(from.minNonZeroValue);
    const last = Math.min(from.countsArrayIndex(from.maxValue), from.countsArrayLength - 1);
    let added = 0;
    const addRange = (start: number, end: number) => {
      for (let i = start; i <= end; i++) {
        const count = from.getCountAtIndex(i);
        if (count > 0) {
          into.addToCountAtIndex(i, count);
          added += count;
        }
      }
    };
    addRange(first, last);
    // Tracked min/max can be stale after a subtraction: then the rest is read too, so no count is ever lost.
    if (added !== from.totalCount) {
      addRange(0, first - 1);
      addRange(last + 1, from.countsArrayLength - 1);
    }
    into.setTotalCount(into.totalCount + added);
    into.updatedMaxValue(Math.max(into.maxValue, from.maxValue));
    into.updateMinNonZeroValue(Math.min(into.minNonZeroValue, from.minNonZeroValue));
    return this;
  }

  /** Removes what `earlier` holds: two cumulative scrapes of one node give the interval between them. */
  minus(earlier: LatencyHistogram): this {
    this.hist.subtract(earlier.hist);
    return this;
  }

  get count(): number {
    return this.hist.totalCount;
  }

  percentileMs(percentile: number): number {
    return this.count === 0 ? 0 : this.hist.getValueAtPercentile(percentile) / 1000;
  }

  summary(): LatencySummary {
    const empty = this.count === 0;
    return {
      count: this.count,
      minMs: empty ? 0 : this.hist.minNonZeroValue / 1000,
      meanMs: empty ? 0 : this.hist.mean / 1000,
      p50: this.percentileMs(50),
      p90: this.percentileMs(90),
      p95: this.percentileMs(95),
      p99: this.percentileMs(99),
      p999: this.percentileMs(99.9),
      max: empty ? 0 : this.hist.maxValue / 1000,
    };
  }

  /** Cumulative counts of values ≤ each bound (ms, ascending), for Prometheus-style buckets. */
  countsAtOrBelow(boundsMs: readonly number[]): number[] {
    const counts = boundsMs.map(() => 0);
    // The JS histogram (useWebAssembly: false) exposes its recorded-values iterator.
    const iterator = (this.hist as unknown as { recordedValuesIterator: RecordedValues }).recordedValuesIterator;
    iterator.reset();
    while (iterator.hasNext()) {
      const { valueIteratedTo, countAtValueIteratedTo } = iterator.next();
      const valueMs = valueIteratedTo / 1000;
      for (let i = 0; i < boundsMs.length; i++) if (valueMs <= boundsMs[i]!) counts[i]! += countAtValueIteratedTo;
    }
    return counts;
  }

  encode(): string {
    return hdr.encodeIntoCompressedBase64(this.hist);
  }

  reset(): void {
    this.hist.reset();
  }

  /** A copy that keeps counting independently (for interval snapshots). */
  clone(): LatencyHistogram {
    return LatencyHistogram.create().merge(this);
  }
}
