// The monitor history's compact rows: figures round-trip at the precision shown, histograms exactly; rows written
// before as jsonb are still read; second rows are kept a week and older days' throughput comes from the minutes.
import { LatencyHistogram, loadConfig } from '@logperf/core';
import { createSqlClient } from '@logperf/cluster';
import type { SqlClient } from '@logperf/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  aggregateMinute,
  HistoryStore,
  MinuteHistory,
  packRow,
  SECOND_RETENTION_MS,
  unpackRow,
  type HistoryNode,
} from '@logperf/measurements';

const DAY_MS = 86_400_000;
const node: HistoryNode = {
  id: 'processor-1',
  role: 'processor',
  up: true,
  cpuPercent: 43.217_681,
  systemCpuPercent: 71.05,
  memoryPercent: null,
  ioUtilPercent: 0.04,
  networkRxBytesPerSecond: 1_048_576.7,
  networkTxBytesPerSecond: 0,
  eventLoopLagP99Ms: 12.345,
  gcPauseMs: null,
  eventsPerSecond: 2999.96,
  rssBytes: 812_345_678,
  storeBytes: 300 * 1024 * 1024,
  storeInMemory: false,
};
const histogram = () => {
  const h = LatencyHistogram.create();
  for (let ms = 1; ms <= 50; ms++) h.recordMs(ms * 1.37, ms);
  return h.encode();
};

describe('monitor history rows', () => {
  it('packs node figures at the precision shown and histograms exactly', () => {
    const latency = { store: histogram(), 'end-to-end': histogram() };
    const packed = packRow(
      [node, { ...node, id: 'gateway-1', role: 'gateway', up: false, storeInMemory: undefined }],
      latency,
    );
    const { nodes, latency: read } = unpackRow(packed);
    expect(read).toEqual(latency);
    expect(nodes[0]).toEqual({
      ...node,
      cpuPercent: 43.2,
      systemCpuPercent: 71.1,
      ioUtilPercent: 0,
      networkRxBytesPerSecond: 1_048_577,
      eventLoopLagP99Ms: 12.3,
      eventsPerSecond: 3000,
      rssBytes: Math.round(812_345_678 / 1024) * 1024,
    });
    expect(nodes[1]).toMatchObject({ id: 'gateway-1', role: 'gateway', up: false });
    expect(nodes[1]).not.toHaveProperty('storeInMemory');
    // Less than half the JSON the jsonb columns held.
    expect(packed.length).toBeLessThan((JSON.stringify([node, node]) + JSON.stringify(latency)).length / 2);
  });

  describe('in the store', () => {
    let sql: SqlClient;
    let history: HistoryStore;
    let minutes: MinuteHistory;
    const now = Date.UTC(2026, 10, 29, 12);
    const second = (atMs: number, throughput: number) => ({
      atMs,
      throughput,
      queueDepth: 3,
      nodes: [node],
      latency: { store: histogram() },
    });

    beforeAll(async () => {
      sql = await createSqlClient(loadConfig({}, {}), `history-codec-${process.pid}`);
      history = new HistoryStore(sql);
      minutes = new MinuteHistory(sql, history);
      await history.init();
      await minutes.init();
    });
    afterAll(async () => sql?.close());

    it('reads rows written before in the jsonb columns beside the packed ones', async () => {
      const legacy = second(now - 2000, 10);
      await sql.query(
        'INSERT INTO monitor_history (at, throughput, queue_depth, nodes, latency) VALUES ($1, $2, $3, $4::jsonb, $5::jsonb)',
        [new Date(legacy.atMs), 10, 3, JSON.stringify(legacy.nodes), JSON.stringify(legacy.latency)],
      );
      await history.append(second(now - 1000, 20));
      const rows = await history.range(now - 2000, now - 1000);
      expect(rows.map((r) => r.throughput)).toEqual([10, 20]);
      expect(rows[0]?.nodes[0]?.cpuPercent).toBe(43.217_681);
      expect(rows[1]?.nodes[0]?.cpuPercent).toBe(43.2);
      expect(rows.map((r) => LatencyHistogram.decode(r.latency.store!).count)).toEqual([1275, 1275]);
      const minute = aggregateMinute(rows, now - 60_000);
      await sql.query(
        `INSERT INTO monitor_history_minutes (at, seconds, throughput, queue_depth, nodes, latency)
         VALUES ($1, 2, 15, 3, $2::jsonb, $3::jsonb)`,
        [new Date(now - 120_000), JSON.stringify(minute.nodes), JSON.stringify(minute.latency)],
      );
      await minutes.save(minute);
      const read = await minutes.range(now - 120_000, now);
      expect(read.map((m) => [m.seconds, m.throughput])).toEqual([
        [2, 15],
        [2, 15],
      ]);
      expect(read.map((m) => LatencyHistogram.decode(m.latency.store!).count)).toEqual([2550, 2550]);
    });

    it('keeps second rows a week, and reads older days from the minute aggregates', async () => {
      const old = now - 10 * DAY_MS;
      await history.append(second(old, 50));
      await minutes.save({ ...aggregateMinute([second(old, 40)], old), seconds: 60 });
      // A day with both: the minute rows before the first second row, then the seconds.
      await minutes.save({ ...aggregateMinute([second(now - DAY_MS, 40)], now - DAY_MS), seconds: 60 });
      await history.prune(now);
      expect(await history.range(old, old)).toEqual([]);
      expect(SECOND_RETENTION_MS).toBe(7 * DAY_MS);
      const days = await history.dailyThroughput(now - 30 * DAY_MS, now);
      expect(days).toEqual([
        { day: Math.floor(old / DAY_MS), eventsPerSecond: 40, seconds: 60 },
        { day: Math.floor((now - DAY_MS) / DAY_MS), eventsPerSecond: 40, seconds: 60 },
        // The second rows of today (10 and 20 events/s) and the minute before them (2 seconds at 15).
        { day: Math.floor(now / DAY_MS), eventsPerSecond: 15, seconds: 4 },
      ]);
    });
  });
});
