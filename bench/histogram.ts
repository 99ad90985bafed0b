// Benchmark: our HDR LatencyHistogram (packages/core/src/histogram.ts) against plain arrays + sort, in one run:
// recording N latencies, then merging K interval histograms and reading p50/p99/p99.9; plus the error of each answer
// against the exact (sorted) percentile. Median of a few rounds, alternating the two.
// Usage: npx tsx bench/histogram.ts [--values 1000000] [--intervals 60] [--rounds 5]
import { parseArgs } from 'node:util';
import { LatencyHistogram } from '@logperf/core';

const { values } = parseArgs({
  options: {
    values: { type: 'string', default: '1000000' },
    intervals: { type: 'string', default: '60' },
    rounds: { type: 'string', default: '5' },
  },
});
const n = Number(values.values);
const intervals = Number(values.intervals);
const rounds = Number(values.rounds);

/** Log-normal latencies around 5 ms with a long tail, in ms (deterministic). */
function latencies(count: number): Float64Array {
  const out = new Float64Array(count);
  let seed = 42;
  const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
  for (let i = 0; i < count; i++)
    out[i] = Math.exp(Math.log(5) + 0.8 * Math.sqrt(-2 * Math.log(rand())) * Math.cos(2 * Math.PI * rand()));
  return out;
}

const PERCENTILES = [50, 99, 99.9] as const;
const exactAt = (sorted: Float64Array, p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const per = Math.ceil(n / intervals);

function hdrRound(data: Float64Array) {
  let t = performance.now();
  const parts = Array.from({ length: intervals }, () => LatencyHistogram.create());
  for (let i = 0; i < data.length; i++) parts[Math.floor(i / per)]!.recordMs(data[i]!);
  const recordMs = performance.now() - t;
  t = performance.now();
  const all = LatencyHistogram.create();
  for (const part of parts) all.merge(part);
  const answers = PERCENTILES.map((p) => all.percentileMs(p));
  return { recordMs, mergeAndPercentilesMs: performance.now() - t, answers };
}

function arrayRound(data: Float64Array) {
  let t = performance.now();
  const parts = Array.from({ length: intervals }, () => [] as number[]);
  for (let i = 0; i < data.length; i++) parts[Math.floor(i / per)]!.push(data[i]!);
  const recordMs = performance.now() - t;
  t = performance.now();
  const all = Float64Array.from(parts.flat()).sort();
  const answers = PERCENTILES.map((p) => exactAt(all, p));
  return { recordMs, mergeAndPercentilesMs: performance.now() - t, answers };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const data = latencies(n);
const exact = PERCENTILES.map((p) => exactAt(Float64Array.from(data).sort(), p));
const hdrRuns: ReturnType<typeof hdrRound>[] = [];
const arrayRuns: ReturnType<typeof arrayRound>[] = [];
hdrRound(data.subarray(0, 10_000));
arrayRound(data.subarray(0, 10_000));
for (let r = 0; r < rounds; r++) {
  hdrRuns.push(hdrRound(data));
  arrayRuns.push(arrayRound(data));
}
const timingSummary = (runs: { recordMs: number; mergeAndPercentilesMs: number; answers: number[] }[]) => ({
  recordPerSecond: Math.round(n / (median(runs.map((r) => r.recordMs)) / 1000)),
  mergeAndPercentilesMs: Number(median(runs.map((r) => r.mergeAndPercentilesMs)).toFixed(2)),
  maxRelativeError: Number(Math.max(...runs[0]!.answers.map((a, i) => Math.abs(a - exact[i]!) / exact[i]!)).toFixed(5)),
});
const ours = {
  name: 'LatencyHistogram (HDR, 32-bit counts, 3 digits)',
  ...timingSummary(hdrRuns),
  bytesPerHistogram: 'about 90 KB, fixed',
};
const reference = {
  name: 'number[] per interval, concat + Float64Array sort',
  ...timingSummary(arrayRuns),
  bytesPerHistogram: `${n * 8} B for ${n} values (grows with count)`,
};
const recordRatio = ours.recordPerSecond / reference.recordPerSecond;
const mergeRatio = reference.mergeAndPercentilesMs / ours.mergeAndPercentilesMs;
console.log(
  JSON.stringify(
    {
      bench: 'histogram',
      values: n,
      intervals,
      rounds,
      exactMs: exact,
      ours,
      reference,
      recordRatio: Number(recordRatio.toFixed(3)),
      mergeSpeedup: Number(mergeRatio.toFixed(1)),
    },
    null,
    2,
  ),
);
console.log(
  `| ${new Date().toISOString().slice(0, 10)} | \`npx tsx bench/histogram.ts --values ${n} --intervals ${intervals} --rounds ${rounds}\` | record ${ours.recordPerSecond}/s, merge+pct ${ours.mergeAndPercentilesMs} ms | record ${reference.recordPerSecond}/s, merge+pct ${reference.mergeAndPercentilesMs} ms | record ${recordRatio.toFixed(3)}, merge ${mergeRatio.toFixed(1)}× |`,
);
