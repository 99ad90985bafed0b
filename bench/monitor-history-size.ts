// Benchmark: bytes per row of the monitor's history. Writes N seconds of realistic rows (the three nodes of
// `logperf up` with /proc-like figures, five components' latency histograms of a 3,000 events/s second in batches of
// 100) into PGlite in memory, rolls up every whole minute, and divides each table's pg_total_relation_size by its rows.
// Usage: npx tsx bench/monitor-history-size.ts [--seconds 3600] [--events-per-second 3000]
import { parseArgs } from 'node:util';
import { LatencyHistogram } from '@logperf/core';
import { createPgliteStore } from '../packages/cluster/src/backends/store/pglite-store.js';
import { HistoryStore, MinuteHistory, type HistoryNode, type HistoryRow } from '@logperf/measurements';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '3600' }, 'events-per-second': { type: 'string', default: '3000' } },
});
const seconds = Number(values.seconds);
const eventsPerSecond = Number(values['events-per-second']);
const BATCH = 100;
/**
 * Median ms, and what one recording is: a request or a bus write (one per batch, timed in µs), or an event (a
 * difference of two epoch-ms clocks, so whole ms). The store records one per written batch.
 */
const COMPONENTS: Record<string, { medianMs: number; per: 'batch' | 'event'; wholeMs: boolean }> = {
  'api-gateway': { medianMs: 2, per: 'batch', wholeMs: false },
  'kafka-produce': { medianMs: 1, per: 'batch', wholeMs: false },
  queue: { medianMs: 5, per: 'event', wholeMs: true },
  store: { medianMs: 8, per: 'batch', wholeMs: false },
  'end-to-end': { medianMs: 20, per: 'event', wholeMs: true },
};
const START_MS = Date.UTC(2026, 10, 29);

// A seeded generator, so two runs (before and after a change) write the same rows.
let seed = 17;
const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
/** Log-normal around `medianMs`, as latencies are. */
const latencyMs = (medianMs: number) => medianMs * Math.exp(0.6 * Math.sqrt(-2 * Math.log(random() + 1e-12)));

function node(id: string, role: string): HistoryNode {
  return {
    id,
    role,
    up: true,
    cpuPercent: 40 + random() * 30,
    systemCpuPercent: 60 + random() * 30,
    memoryPercent: 50 + random() * 5,
    ioUtilPercent: random() * 10,
    networkRxBytesPerSecond: 1e6 + random() * 1e5,
    networkTxBytesPerSecond: 1e6 + random() * 1e5,
    eventLoopLagP99Ms: 10 + random() * 40,
    gcPauseMs: random() * 20,
    eventsPerSecond: eventsPerSecond * (0.95 + random() * 0.1),
    rssBytes: Math.round(800e6 + random() * 50e6),
    storeBytes: role === 'processor' ? Math.round(300e6 + random() * 1e6) : null,
    storeInMemory: role === 'processor' ? false : null,
  };
}

function row(second: number): HistoryRow {
  const latency: Record<string, string> = {};
  for (const [component, { medianMs, per, wholeMs }] of Object.entries(COMPONENTS)) {
    const h = LatencyHistogram.create();
    const recordings = per === 'batch' ? eventsPerSecond / BATCH : eventsPerSecond;
    for (let i = 0; i < recordings; i++) {
      const ms = latencyMs(medianMs);
      h.recordMs(wholeMs ? Math.max(1, Math.round(ms)) : ms);
    }
    latency[component] = h.encode();
  }
  return {
    atMs: START_MS + second * 1000,
    throughput: eventsPerSecond * (0.95 + random() * 0.1),
    queueDepth: Math.round(random() * 5000),
    nodes: [node('processor-1', 'processor'), node('gateway-1', 'gateway'), node('loadgen-1', 'loadgen')],
    latency,
  };
}

const store = createPgliteStore();
const sql = store.sql();
const history = new HistoryStore(sql);
const minutes = new MinuteHistory(sql, history);
await history.init();
await minutes.init();
for (let s = 0; s < seconds; s++) {
  await history.append(row(s));
  if ((s + 1) % 60 === 0) await minutes.rollup(START_MS + (s - 59) * 1000);
}
await sql.query('VACUUM ANALYZE');
const perRow = async (table: string) => {
  const { rows } = await sql.query<{ bytes: unknown; n: unknown }>(
    `SELECT pg_total_relation_size('${table}') AS bytes, (SELECT count(*) FROM ${table}) AS n`,
  );
  const bytes = Number(rows[0]?.bytes);
  const n = Number(rows[0]?.n);
  return { table, rows: n, bytes, bytesPerRow: Math.round(bytes / n) };
};
const result = [await perRow('monitor_history'), await perRow('monitor_history_minutes')];
console.log(JSON.stringify({ seconds, eventsPerSecond, result }, null, 2));
await store.close();
