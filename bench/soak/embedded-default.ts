// Soak of the embedded default as a user starts it (`logperf up`: PGlite on disk with retention, in-process bus, LRU):
// 3,000 events/s for 30 min, then the seed's 10,000 events/s for 10 min, each in a fresh data folder. Per run: RSS
// growth per hour (the soak's trend test), RSS after warm-up within ±10 %, acknowledged events all stored, the
// driver not late, the store's size and rotations, and the monitor history's bytes per row.
// Usage: npx tsx bench/soak/embedded-default.ts [--minutes N (both runs)] [--warmup-minutes 5] [--retention-seconds S]
//        [--rate R (only the run at R events/s)] [--out soak.json]   (a shortened run passes a retention short enough to rotate within it)
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createPgliteStore } from '../../packages/cluster/src/backends/store/pglite-store.js';
import { startCli } from '../../apps/cli/test/cli-process.js';
import { formatSoak, runSoak, type SoakReport } from './run-soak.js';
import { sleep } from '@logperf/core';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string' },
    'warmup-minutes': { type: 'string', default: '5' },
    'sample-seconds': { type: 'string', default: '10' },
    'retention-seconds': { type: 'string' },
    rate: { type: 'string' },
    out: { type: 'string' },
  },
});
const RUNS = [
  { ratePerSecond: 3000, minutes: 30 },
  { ratePerSecond: 10_000, minutes: 10 },
];

interface ProcessorStats {
  events: { total: number };
  store: { sizeBytes: number | null; retention: { rotations: number; windowSeconds: number } } | null;
}
const stats = async (url: string) => (await (await fetch(`${url}/api/node/stats`)).json()) as ProcessorStats;
const MB = 1024 * 1024;

/** RSS after warm-up against its value when warm-up ended: the issue's ±10 % band. */
function rssBand(report: SoakReport) {
  const samples = report.processes[0]?.series.rssBytes ?? [];
  const start = samples[0]?.atMs ?? 0;
  const kept = samples.filter((s) => s.atMs - start >= report.warmupSeconds * 1000).map((s) => s.value);
  const reference = kept[0];
  if (reference === undefined) return null;
  const deviation = Math.max(...kept.map((v) => Math.abs(v / reference - 1)));
  return {
    atWarmupEndMb: reference / MB,
    minMb: Math.min(...kept) / MB,
    maxMb: Math.max(...kept) / MB,
    maxDeviationPercent: deviation * 100,
    withinTenPercent: deviation <= 0.1,
  };
}

async function historyBytesPerRow(dataDir: string) {
  const store = createPgliteStore({ dataDir });
  try {
    const { rows } = await store
      .sql()
      .query<{ n: unknown; bytes: unknown }>(
        "SELECT count(*) AS n, pg_total_relation_size('monitor_history') AS bytes FROM monitor_history",
      );
    const n = Number(rows[0]?.n);
    return { rows: n, bytes: Number(rows[0]?.bytes), bytesPerRow: n > 0 ? Number(rows[0]?.bytes) / n : null };
  } finally {
    await store.close();
  }
}

const results = [];
for (const run of RUNS.filter((r) => values.rate === undefined || r.ratePerSecond === Number(values.rate))) {
  const minutes = values.minutes === undefined ? run.minutes : Number(values.minutes);
  const root = join('.cache', `pglite-soak-${Date.now()}-${process.pid}`);
  const up = await startCli(
    ['up', ...['gateway', 'processor', 'loadgen', 'monitor', 'analyzer'].flatMap((r) => [`--${r}-port`, '0'])],
    {
      LOGPERF_PGLITE_DIR: root,
      LOGPERF_LOG_LEVEL: 'warn',
      ...(values['retention-seconds'] ? { LOGPERF_STORE_RETENTION_SECONDS: values['retention-seconds'] } : {}),
    },
    180_000,
  );
  const processor = up.urls.processor!;
  try {
    console.log(`embedded default: ${run.ratePerSecond} events/s for ${minutes} min (data in ${root})`);
    const before = await stats(processor);
    const report = await runSoak({
      gatewayUrl: up.urls.gateway!,
      nodeUrls: [up.urls.gateway!, processor],
      ratePerSecond: run.ratePerSecond,
      durationMs: minutes * 60_000,
      sampleIntervalMs: Number(values['sample-seconds']) * 1000,
      warmupMs: Number(values['warmup-minutes']) * 60_000,
      log: (line) => console.log(line),
    });
    // Drain (bounded): every acknowledged event stored, or the shortfall reported as lost.
    const deadline = Date.now() + 120_000;
    let after = await stats(processor);
    while (after.events.total - before.events.total < report.load.acknowledged && Date.now() < deadline) {
      await sleep(1000);
      after = await stats(processor);
    }
    const stored = after.events.total - before.events.total;
    const summary = {
      ratePerSecond: run.ratePerSecond,
      minutes,
      report,
      rss: rssBand(report),
      stored,
      lost: report.load.acknowledged - stored,
      driverLate: report.load.late,
      storeSizeMb: after.store?.sizeBytes == null ? null : after.store.sizeBytes / MB,
      rotations: after.store?.retention.rotations ?? null,
    };
    await up.stop('SIGTERM');
    const history = await historyBytesPerRow(join(root, 'store'));
    results.push({ ...summary, history });
    console.log(formatSoak(report));
    console.log(JSON.stringify({ ...summary, report: undefined, history }, null, 2));
  } finally {
    await up.stop('SIGTERM');
    await rm(root, { recursive: true, force: true });
  }
}
if (values.out) {
  const { writeFileSync } = await import('node:fs');
  writeFileSync(values.out, JSON.stringify(results, null, 2));
}
