// Reports are served from per-minute aggregates: over a seeded 30-day history a 24 h report reads at most one row per
// minute plus the partial minutes' seconds, never the whole history; a minute's aggregate keeps its seconds' figures.
import { LatencyHistogram, loadConfig } from '@logperf/core';
import { createSqlClient } from '@logperf/cluster';
import { type SqlClient } from '@logperf/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aggregateMinute, HistoryStore, MinuteHistory, thresholdsFrom, type HistoryRow } from '@logperf/measurements';
import { buildReport } from '../src/report.js';

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 3600 * 1000;

const second = (atMs: number, throughput: number, latencyMs: number, up = true): HistoryRow => {
  const h = LatencyHistogram.create();
  h.recordMs(latencyMs, 10);
  return {
    atMs,
    throughput,
    queueDepth: throughput > 0 ? 5 : null,
    nodes: [
      {
        id: 'p1',
        role: 'processor',
        up,
        cpuPercent: 50,
        systemCpuPercent: null,
        memoryPercent: 20,
        ioUtilPercent: null,
        networkRxBytesPerSecond: null,
        networkTxBytesPerSecond: null,
        eventLoopLagP99Ms: 2,
        gcPauseMs: null,
        eventsPerSecond: throughput,
      },
    ],
    latency: { store: h.encode() },
  };
};

describe('per-minute history', () => {
  it("aggregates a minute's seconds: mean throughput, merged latency, down if down in any second", () => {
    const rows = Array.from({ length: 60 }, (_, i) => second(i * 1000, i < 30 ? 100 : 200, i < 30 ? 5 : 50, i !== 7));
    const minute = aggregateMinute(rows, 0);
    expect(minute).toMatchObject({ atMs: 0, seconds: 60, throughput: 150, queueDepth: 5 });
    expect(minute.nodes[0]).toMatchObject({ id: 'p1', up: false, cpuPercent: 50, eventsPerSecond: 150 });
    const latency = LatencyHistogram.decode(minute.latency.store!);
    expect(latency.count).toBe(600);
    expect(latency.percentileMs(99)).toBeCloseTo(50, 0);
  });

  describe('a seeded 30-day history', () => {
    let sql: SqlClient;
    let reads: number[] = [];
    let history: HistoryStore;
    let minutes: MinuteHistory;
    const now = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS + 30_000; // half a minute into the current minute

    beforeAll(async () => {
      const inner = await createSqlClient(loadConfig({}, {}), `history-minutes-${process.pid}`);
      // Counts the rows each query returns: what the report read.
      sql = {
        query: async <T>(text: string, params?: unknown[]) => {
          const result = await inner.query<T>(text, params);
          reads.push(result.rows.length);
          return result;
        },
        close: () => inner.close(),
      };
      history = new HistoryStore(sql);
      minutes = new MinuteHistory(sql, history);
      await history.init();
      await minutes.init();
      // 30 days of minute aggregates (43,200 rows), each 60 s at 100 events/s, seeded in one statement.
      const one = aggregateMinute([second(0, 100, 5)], 0);
      await inner.query(
        `INSERT INTO monitor_history_minutes (at, seconds, throughput, queue_depth, nodes, latency)
         SELECT to_timestamp(m * 60), 60, 100, 5, $1::jsonb, $2::jsonb
         FROM generate_series($3::bigint, $4::bigint) AS m ON CONFLICT (at) DO NOTHING`,
        [
          JSON.stringify(one.nodes),
          JSON.stringify(one.latency),
          Math.floor((now - 30 * DAY_MS) / MINUTE_MS),
          Math.floor(now / MINUTE_MS) - 2,
        ],
      );
      // The minute that just ended is not rolled up yet, and the current one is half measured: second rows.
      for (let at = now - 90_000; at < now; at += 1000) await history.append(second(at, 100, 5));
    }, 120_000);
    afterAll(async () => {
      await sql.query('DROP TABLE IF EXISTS monitor_history_minutes');
      await sql.close();
    });

    it('serves a 24 h report from at most 1,440 minute rows plus 120 second rows, with every second counted', async () => {
      reads = [];
      const rows = await minutes.reportRows(now - DAY_MS, now);
      expect(Math.max(...reads)).toBeLessThanOrEqual(1440);
      expect(reads.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1440 + 120);
      const report = buildReport(rows, now - DAY_MS, now, undefined, thresholdsFrom(undefined));
      // 1,438 seeded minutes + the 90 seconds stored as seconds (the last partial minutes).
      expect(report.seconds).toBe(1438 * 60 + 90);
      expect(report.throughput.mean).toBeCloseTo(100, 6);
      expect(report.throughput.totalEvents).toBeCloseTo(100 * (1438 * 60 + 90), 0);
      expect(report.latency.store?.count).toBe(1438 * 10 + 90 * 10);
    });
  });
});
