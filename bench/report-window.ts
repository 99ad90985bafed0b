// Benchmark: a 24 h monitor report built from the per-second history (reference: every second row read and decoded)
// against the same report from per-minute aggregates (services/monitor/src/history-minutes.ts), in one run on one
// embedded PGlite seeded with both. Median of a few rounds, alternating the two.
// Usage: npx tsx bench/report-window.ts [--hours 24] [--rounds 3]
import { parseArgs } from 'node:util';
import { LatencyHistogram, loadConfig } from '@logperf/core';
import { createSqlClient } from '@logperf/cluster';
import { aggregateMinute, HistoryStore, MinuteHistory, thresholdsFrom } from '@logperf/measurements';
import { buildReport } from '../services/monitor/src/report.js';

const { values } = parseArgs({
  options: { hours: { type: 'string', default: '24' }, rounds: { type: 'string', default: '3' } },
});
const hours = Number(values.hours);
const rounds = Number(values.rounds);
const MINUTE_MS = 60_000;

const sql = await createSqlClient(loadConfig({}, {}), 'bench-report-window');
const history = new HistoryStore(sql);
const minutes = new MinuteHistory(sql, history);
await history.init();
await minutes.init();
const now = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS;
const from = now - hours * 3600_000;
const h = LatencyHistogram.create();
for (let i = 1; i <= 100; i++) h.recordMs(i / 10, 10);
const nodes = [{ id: 'p1', role: 'processor', up: true, cpuPercent: 40, memoryPercent: 20, eventsPerSecond: 1000 }];
const latency = JSON.stringify({ store: h.encode(), 'end-to-end': h.encode() });
// Second rows and their minute aggregates, seeded in SQL (what the monitor writes once a second and once a minute).
await sql.query(
  `INSERT INTO monitor_history (at, throughput, queue_depth, nodes, latency)
   SELECT to_timestamp(s), 1000, 5, $1::jsonb, $2::jsonb FROM generate_series($3::bigint, $4::bigint) AS s`,
  [JSON.stringify(nodes), latency, from / 1000, now / 1000 - 1],
);
const oneMinute = aggregateMinute((await history.range(from, from + MINUTE_MS - 1)).slice(0, 60), from);
await sql.query(
  `INSERT INTO monitor_history_minutes (at, seconds, throughput, queue_depth, nodes, latency)
   SELECT to_timestamp(m * 60), 60, 1000, 5, $1::jsonb, $2::jsonb FROM generate_series($3::bigint, $4::bigint) AS m`,
  [JSON.stringify(oneMinute.nodes), JSON.stringify(oneMinute.latency), from / MINUTE_MS, now / MINUTE_MS - 1],
);

const thresholds = thresholdsFrom(undefined);
async function time(read: () => Promise<Parameters<typeof buildReport>[0]>): Promise<{ ms: number; rows: number }> {
  const t = performance.now();
  const rows = await read();
  buildReport(rows, from, now, undefined, thresholds);
  return { ms: performance.now() - t, rows: rows.length };
}
const seconds: number[] = [];
const minuteTimes: number[] = [];
let rowCounts = { seconds: 0, minutes: 0 };
for (let r = 0; r < rounds; r++) {
  const a = await time(() => history.range(from, now));
  const b = await time(() => minutes.reportRows(from, now));
  seconds.push(a.ms);
  minuteTimes.push(b.ms);
  rowCounts = { seconds: a.rows, minutes: b.rows };
}
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
console.log(
  JSON.stringify(
    {
      hours,
      rounds,
      rowsRead: rowCounts,
      fromSecondsMs: Math.round(median(seconds)),
      fromMinutesMs: Math.round(median(minuteTimes)),
      ratio: Number((median(minuteTimes) / median(seconds)).toFixed(4)),
    },
    null,
    2,
  ),
);
await sql.close();
