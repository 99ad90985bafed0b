// Benchmark: the whole pipeline (gateway → bus → processors → store) at a fixed open-loop rate,
// against PostgreSQL's own COPY of the same rows as the reference, in one run.
// Usage: npx tsx bench/pipeline.ts [--real] [--rate 5000] [--seconds 20] [--batch 200] [--processes 2]
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { LatencyHistogram } from '@logperf/core';
import { Pool } from 'undici';
import { copyReference } from './copy-reference.js';
import { startNodes, type BenchNodes } from './nodes.js';

const { values } = parseArgs({
  options: {
    real: { type: 'boolean', default: false },
    rate: { type: 'string', default: '5000' },
    seconds: { type: 'string', default: '20' },
    batch: { type: 'string', default: '200' },
    processes: { type: 'string', default: '2' },
  },
});
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const batch = Number(values.batch);
const MAX_IN_FLIGHT = 64;

interface NodeStats {
  events: { total: number };
  latency: Record<string, { histogram: string } | undefined>;
}

async function stats(url: string): Promise<NodeStats> {
  const res = await fetch(`${url}/api/node/stats`);
  return (await res.json()) as NodeStats;
}

async function storedTotal(nodes: BenchNodes): Promise<number> {
  const all = await Promise.all(nodes.processors.map(stats));
  return all.reduce((sum, s) => sum + s.events.total, 0);
}

async function run(): Promise<void> {
  const nodes = await startNodes({ real: values.real, processes: Number(values.processes) });
  const http = new Pool(nodes.gateway, { connections: 16, pipelining: 1 });
  const totalBatches = Math.ceil((rate * seconds) / batch);
  const intervalMs = (batch / rate) * 1000;
  let acknowledged = 0;
  const refusedByStatus: Record<string, number> = {};
  let late = 0;
  let inFlight = 0;
  const service = LatencyHistogram.create();
  const start = performance.now();
  const sends: Promise<void>[] = [];

  for (let i = 0; i < totalBatches; i++) {
    const intendedAt = start + i * intervalMs;
    const wait = intendedAt - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    else if (wait < -10) late++;
    while (inFlight >= MAX_IN_FLIGHT) await new Promise((resolve) => setTimeout(resolve, 1));
    inFlight++;
    const now = Date.now();
    const body = Array.from({ length: batch }, (_, j) =>
      JSON.stringify({
        id: randomUUID(),
        level: 'INFO',
        message: `bench event ${i}.${j} ${'x'.repeat(120)}`,
        source: `bench-${j % 8}`,
        timestamp: now,
      }),
    ).join('\n');
    const sentAt = performance.now();
    sends.push(
      http
        .request({ method: 'POST', path: '/api/logs', body, headers: { 'content-type': 'application/x-ndjson' } })
        .then(async (res) => {
          await res.body.text();
          if (res.statusCode === 202) acknowledged += batch;
          else refusedByStatus[res.statusCode] = (refusedByStatus[res.statusCode] ?? 0) + batch;
          service.recordMs(performance.now() - sentAt);
        })
        .finally(() => inFlight--),
    );
  }
  await Promise.all(sends);
  const sendSeconds = (performance.now() - start) / 1000;

  const deadline = Date.now() + 120_000;
  let stored = 0;
  while (Date.now() < deadline && (stored = await storedTotal(nodes)) < acknowledged)
    await new Promise((resolve) => setTimeout(resolve, 100));
  const drainSeconds = (performance.now() - start) / 1000;

  const endToEnd = LatencyHistogram.create();
  for (const s of await Promise.all(nodes.processors.map(stats))) {
    const h = s.latency['end-to-end']?.histogram;
    if (h) endToEnd.merge(LatencyHistogram.decode(h));
  }
  await http.close();
  await nodes.stop();

  const reference = await copyReference(acknowledged);
  const e2e = endToEnd.summary();
  const result = {
    mode: values.real ? 'real (Kafka + PostgreSQL + Redis)' : 'embedded (memory bus + PGlite + LRU)',
    intendedRatePerSecond: rate,
    seconds,
    batch,
    processorProcesses: nodes.processors.length,
    acknowledged,
    refusedByStatus,
    lateBatches: late,
    stored,
    achievedIngestPerSecond: Math.round(acknowledged / sendSeconds),
    sustainedStoredPerSecond: Math.round(stored / drainSeconds),
    endToEndMs: { p50: e2e.p50, p95: e2e.p95, p99: e2e.p99, max: e2e.max },
    gatewayRequestMs: { p50: service.summary().p50, p99: service.summary().p99 },
    reference: {
      name: 'psql \\copy of the same rows into PostgreSQL',
      rowsPerSecond: Math.round(reference.rowsPerSecond),
    },
    ratioToCopy: Number((stored / drainSeconds / reference.rowsPerSecond).toFixed(3)),
  };
  console.log(JSON.stringify(result, null, 2));
}

await run();
