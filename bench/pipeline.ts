// Benchmark: the whole pipeline (gateway → bus → processors → store) at open-loop rates timed from the schedule, and its
// maximum sustainable rate against PostgreSQL's own maximum (`\copy` of as many rows of the same shape), in one run.
// A step passes when every event is acknowledged and stored, ≤ 1 % of batches left late, and the corrected request p99
// and the step's own end-to-end p99 (the processors' per-test histogram of its test id) are ≤ 100 ms.
// Usage: npx tsx bench/pipeline.ts [--real] [--rates 5000,10000,15000,20000,25000,30000] [--seconds 20] [--batch 200]
//          [--processes 2]
import { parseArgs } from 'node:util';
import { LatencyHistogram, sleep } from '@logperf/core';
import { z } from 'zod';
import { copyReference } from './copy-reference.js';
import { startNodes, type BenchNodes } from './nodes.js';
import { sendOpenLoop } from './open-loop-sender.js';

const { values } = parseArgs({
  options: {
    real: { type: 'boolean', default: false },
    rates: { type: 'string', default: '5000,10000,15000,20000,25000,30000' },
    seconds: { type: 'string', default: '20' },
    batch: { type: 'string', default: '200' },
    processes: { type: 'string', default: '2' },
  },
});
const P99_LIMIT_MS = 100;
const LATE_LIMIT = 0.01;
const DRAIN_TIMEOUT_MS = 30_000;

const processorStatsSchema = z.object({
  tests: z.record(z.string(), z.object({ stored: z.number(), endToEnd: z.object({ histogram: z.string() }) })),
});
const testFigures = async (nodes: BenchNodes, testId: string) => {
  const all = await Promise.all(
    nodes.processors.map(async (url) =>
      processorStatsSchema.parse(await (await fetch(`${url}/api/node/stats`)).json()),
    ),
  );
  const endToEnd = LatencyHistogram.create();
  let stored = 0;
  for (const s of all) {
    const test = s.tests[testId];
    if (!test) continue;
    stored += test.stored;
    endToEnd.merge(LatencyHistogram.decode(test.endToEnd.histogram));
  }
  return { stored, endToEnd };
};

async function step(nodes: BenchNodes, ratePerSecond: number) {
  const testId = `pipeline-${ratePerSecond}-${Date.now()}`;
  const batch = Number(values.batch);
  const seconds = Number(values.seconds);
  const sent = await sendOpenLoop({ gateway: nodes.gateway, ratePerSecond, seconds, batch, testId });
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  let figures = await testFigures(nodes, testId);
  while (figures.stored < sent.acknowledged && Date.now() < deadline) {
    await sleep(200);
    figures = await testFigures(nodes, testId);
  }
  const e2e = figures.endToEnd.summary();
  const corrected = sent.corrected.summary();
  const lateShare = sent.lateBatches / Math.ceil((ratePerSecond * seconds) / batch);
  const passed =
    sent.acknowledged === sent.intended &&
    figures.stored === sent.acknowledged &&
    lateShare <= LATE_LIMIT &&
    corrected.p99 <= P99_LIMIT_MS &&
    e2e.p99 <= P99_LIMIT_MS;
  return {
    intendedPerSecond: ratePerSecond,
    passed,
    intended: sent.intended,
    acknowledged: sent.acknowledged,
    stored: figures.stored,
    refusedByStatus: sent.refusedByStatus,
    lateBatchesPercent: Number((lateShare * 100).toFixed(2)),
    correctedRequestMs: { p50: corrected.p50, p99: corrected.p99, max: corrected.max },
    endToEndMs: { p50: e2e.p50, p95: e2e.p95, p99: e2e.p99, max: e2e.max },
  };
}

const nodes = await startNodes({ real: values.real, processes: Number(values.processes) });
const steps: Awaited<ReturnType<typeof step>>[] = [];
try {
  for (const rate of values.rates.split(',').map(Number)) {
    const result = await step(nodes, rate);
    steps.push(result);
    console.error(`${rate}/s: ${result.passed ? 'sustained' : 'not sustained'}`);
    if (!result.passed) break;
  }
} finally {
  await nodes.stop();
}
const maxSustained = Math.max(0, ...steps.filter((s) => s.passed).map((s) => s.intendedPerSecond));
// COPY's own maximum over as many rows as the pipeline's best step stored (at least 100,000, so it is not start-up).
const reference = await copyReference(Math.max(100_000, maxSustained * Number(values.seconds)));
console.log(
  JSON.stringify(
    {
      mode: values.real ? 'real (Kafka + PostgreSQL + Redis)' : 'embedded (memory bus + PGlite + LRU)',
      seconds: Number(values.seconds),
      batch: Number(values.batch),
      processorProcesses: nodes.processors.length,
      steps,
      maxSustainedPerSecond: maxSustained,
      reference: { name: 'psql \\copy of rows of the same shape', rowsPerSecond: Math.round(reference.rowsPerSecond) },
      maxToMaxRatio: Number((maxSustained / reference.rowsPerSecond).toFixed(3)),
    },
    null,
    2,
  ),
);
