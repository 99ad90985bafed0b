// Soak, CI length: the real pipeline (gateway and processor processes on Kafka + PostgreSQL + Redis) at a steady rate for
// LOGPERF_SOAK_SECONDS (default 60), every process sampled every 2 s; after warm-up the floor of heap, RSS and open
// handles may not grow faster than a real leak would. A deliberate leak in this process proves the detector can fail.
// The 30-minute run is `npx tsx bench/soak.ts` (bench/RESULTS.md).
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import {
  describeReal,
  kafkaProbe,
  postgresProbe,
  realServices,
  redisProbe,
} from '../../../../packages/cluster/test/real-services.js';
import { startNodes, type BenchNodes } from '../../../../bench/nodes.js';
import { formatSoak, runSoak } from '../../../../bench/soak/run-soak.js';
import { trend, type Sample } from '../../../../bench/soak/trend.js';
import { sleep } from '@logperf/core';

const SOAK_SECONDS = Number(process.env.LOGPERF_SOAK_SECONDS ?? '60');
const MiB = 1024 * 1024;
/**
 * What 40 s after warm-up can tell apart from a young process settling (old space filling before its first full GC, JIT,
 * pools): 3 GiB/h of heap is 0.85 KB per event at 1,000 events/s, so keeping one copy of each event is caught; slower
 * leaks are the 30-minute soak's job (32 MiB/h there). RSS and handles likewise.
 */
const CI_BOUNDS = {
  heapUsedBytes: 3 * 1024 * MiB,
  rssBytes: 4 * 1024 * MiB,
  activeResources: 600,
  eventLoopLagP99Ms: 100_000,
};

describe('the soak detector', () => {
  const series = (values: (t: number) => number, seconds = 60, everyMs = 2000): Sample[] =>
    Array.from({ length: (seconds * 1000) / everyMs }, (_, i) => ({ atMs: i * everyMs, value: values(i * everyMs) }));

  it('calls a sawtooth flat and a steady climb growing, in units per hour', () => {
    const sawtooth = trend(
      series((t) => 50 * MiB + ((t / 2000) % 5) * 8 * MiB),
      { warmupMs: 10_000, maxGrowthPerHour: 64 * MiB },
    );
    expect(sawtooth.verdict).toBe('flat');
    const climb = trend(
      series((t) => 50 * MiB + (t / 1000) * 0.1 * MiB),
      { warmupMs: 10_000, maxGrowthPerHour: 64 * MiB },
    );
    expect(climb.verdict).toBe('growing');
    expect(climb.growthPerHour / MiB).toBeCloseTo(360, 0);
  });

  it('catches a real leak in a live process: 2 MiB retained every 100 ms', async () => {
    const leak: Buffer[] = [];
    const heap: Sample[] = [];
    const start = Date.now();
    while (Date.now() - start < 6000) {
      const chunk: number[] = Array.from({ length: (2 * MiB) / 8 }, (_, i) => i); // on the V8 heap, unlike a Buffer
      leak.push(Buffer.from([chunk.length & 0xff]));
      (leak as unknown[]).push(chunk);
      heap.push({ atMs: Date.now() - start, value: process.memoryUsage().heapUsed });
      await sleep(100);
    }
    const verdict = trend(heap, { warmupMs: 1000, maxGrowthPerHour: CI_BOUNDS.heapUsedBytes });
    leak.length = 0;
    expect(verdict.verdict).toBe('growing');
    expect(verdict.floorGrowthPerHour).toBeGreaterThan(10 * CI_BOUNDS.heapUsedBytes);
  }, 20_000);
});

describeReal(`soak: the real pipeline for ${SOAK_SECONDS} s`, [kafkaProbe, postgresProbe, redisProbe], () => {
  let nodes: BenchNodes | undefined;
  afterAll(async () => {
    await nodes?.stop();
    if (nodes) {
      const db = new pg.Client({ connectionString: realServices.databaseUrl });
      await db.connect();
      await db.query(`DROP TABLE IF EXISTS ${nodes.env.LOGPERF_STORE_TABLE}`);
      await db.end();
    }
  });

  it(
    'keeps heap, RSS and open handles of every process flat after warm-up, acknowledging every event',
    async () => {
      nodes = await startNodes({ real: true, processes: 1 });
      const report = await runSoak({
        gatewayUrl: nodes.gateway,
        nodeUrls: [nodes.gateway, ...nodes.processors],
        ratePerSecond: 1000,
        durationMs: SOAK_SECONDS * 1000,
        sampleIntervalMs: 2000,
        warmupMs: Math.min(20_000, (SOAK_SECONDS * 1000) / 3),
        bounds: CI_BOUNDS,
      });
      console.log(formatSoak(report));
      expect(report.processes).toHaveLength(2);
      expect(report.load.acknowledged).toBe(report.load.intendedEvents);
      for (const p of report.processes) {
        for (const metric of ['heapUsedBytes', 'rssBytes', 'activeResources'] as const) {
          expect({ pid: p.pid, roles: p.roles, metric, verdict: p.trends[metric].verdict }).toEqual({
            pid: p.pid,
            roles: p.roles,
            metric,
            verdict: 'flat',
          });
        }
      }
    },
    SOAK_SECONDS * 1000 + 90_000,
  );
});
