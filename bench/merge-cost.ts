// Benchmark: the coordinator's per-second merge of a distributed test (issue 20). Each second every worker reports one
// HDR histogram in the compressed base64 form; the coordinator decodes each and adds it to the second's total, then
// reads the percentiles. Measured for 1, 10, 100 and 1,000 workers' histograms of realistic seconds (each worker:
// `--events` latencies from a log-normal around 5 ms with a long tail), median of `--rounds` rounds. Wall time per step
// and the process's CPU time for the whole second's work (on a loaded machine the wall time includes waiting for a core).
// Usage: npx tsx bench/merge-cost.ts [--workers 1,10,100,1000] [--events 500] [--rounds 5]
import { parseArgs } from 'node:util';
import { LatencyHistogram } from '@logperf/core';

const { values } = parseArgs({
  options: {
    workers: { type: 'string', default: '1,10,100,1000' },
    events: { type: 'string', default: '500' },
    rounds: { type: 'string', default: '5' },
  },
});
const workerCounts = values.workers.split(',').map(Number);
const eventsPerWorker = Number(values.events);
const rounds = Number(values.rounds);
const MICROS_PER_SECOND = 1_000_000;

/** One worker's second: `count` latencies (log-normal, median 5 ms, sigma 0.8), deterministic per seed, encoded. */
function workerSecond(seed: number, count: number): string {
  let state = seed * 2_654_435_761 + 1;
  const rand = () => ((state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0) + 0.5) / 2 ** 32;
  const histogram = LatencyHistogram.create();
  for (let i = 0; i < count; i++)
    histogram.recordMs(Math.exp(Math.log(5) + 0.8 * Math.sqrt(-2 * Math.log(rand())) * Math.cos(2 * Math.PI * rand())));
  return histogram.encode();
}

/**
 * The coordinator's work for one second: each report decoded and added to the total as it arrives (one decoded
 * histogram alive at a time), then the total's percentiles.
 */
function mergeSecond(reports: readonly string[]) {
  const cpuBefore = process.cpuUsage();
  let decodeMs = 0;
  let addMs = 0;
  const total = LatencyHistogram.create();
  for (const report of reports) {
    const t0 = performance.now();
    const histogram = LatencyHistogram.decode(report);
    const t1 = performance.now();
    total.merge(histogram);
    decodeMs += t1 - t0;
    addMs += performance.now() - t1;
  }
  const t = performance.now();
  const summary = total.summary();
  const summaryMs = performance.now() - t;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    cpuMicros: cpu.user + cpu.system,
    decodeMicros: decodeMs * 1000,
    addMicros: addMs * 1000,
    summaryMicros: summaryMs * 1000,
    count: summary.count,
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number, digits = 1) => Number(x.toFixed(digits));
const pool = Array.from({ length: Math.max(...workerCounts) }, (_, i) => workerSecond(i + 1, eventsPerWorker));
mergeSecond(pool.slice(0, 20)); // warm-up

const rows = workerCounts.map((workers) => {
  const reports = pool.slice(0, workers);
  const runs = Array.from({ length: rounds }, () => mergeSecond(reports));
  if (runs.some((r) => r.count !== workers * eventsPerWorker)) throw new Error('the merged total lost counts');
  const decode = median(runs.map((r) => r.decodeMicros));
  const add = median(runs.map((r) => r.addMicros));
  const summary = median(runs.map((r) => r.summaryMicros));
  const perSecond = median(runs.map((r) => r.decodeMicros + r.addMicros + r.summaryMicros));
  const cpuPerSecond = median(runs.map((r) => r.cpuMicros));
  return {
    workers,
    eventsPerSecond: workers * eventsPerWorker,
    encodedBytesPerReport: Math.round(reports.reduce((sum, r) => sum + r.length, 0) / workers),
    decodeMicrosPerReport: round(decode / workers),
    addMicrosPerReport: round(add / workers),
    summaryMicros: round(summary),
    mergeMicrosPerSecond: Math.round(perSecond),
    shareOfOneCore: round(perSecond / MICROS_PER_SECOND, 4),
    /** Process CPU (user + system, GC threads included) over the same work: less inflated by other processes. */
    cpuMicrosPerSecond: Math.round(cpuPerSecond),
    cpuMicrosPerReport: round(cpuPerSecond / workers),
    cpuShareOfOneCore: round(cpuPerSecond / MICROS_PER_SECOND, 4),
  };
});
console.log(JSON.stringify({ eventsPerWorker, rounds, rows }, null, 2));
