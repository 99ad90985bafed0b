// Benchmark: what keeping the embedded store on disk costs. The same batches go into PGlite in memory (memory://), into
// a data folder on disk, and into folders with rotation (after a first rotation: within the bus's redelivery window
// every write also checks the previous segment for redelivered ids, past it not), in alternating rounds of one run;
// events/s and CPU ms per 1,000 events each.
// Usage: npx tsx bench/pglite-disk.ts [--events 60000] [--batch 1000] [--rounds 3]
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Store, StoredEventInput } from '@logperf/cluster';
import { createPgliteStore } from '../packages/cluster/src/backends/store/pglite-store.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '60000' },
    batch: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '3' },
  },
});
const total = Number(values.events);
const batchSize = Number(values.batch);

function batches(): StoredEventInput[][] {
  const now = Date.now();
  return Array.from({ length: Math.ceil(total / batchSize) }, (_, b) =>
    Array.from({ length: batchSize }, (_, i) => ({
      id: randomUUID(),
      level: 'INFO' as const,
      message: `bench event ${b}.${i} ${'x'.repeat(120)}`,
      source: `bench-${i % 8}`,
      timestamp: now,
      ingestedAt: now,
    })),
  );
}

async function measure(store: Store) {
  const work = batches();
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (const batch of work) await store.insertBatch(batch);
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  return { eventsPerSecond: total / seconds, cpuMsPer1000: (used.user + used.system) / 1000 / (total / 1000) };
}

const root = await mkdtemp(join(tmpdir(), 'logperf-pglite-bench-'));
const clock = { nowMs: 0 };
const variants: Record<string, () => Store> = {
  'memory://': () => createPgliteStore({ dataDir: 'memory://', table: 'bench' }),
  'disk folder': () => createPgliteStore({ dataDir: join(root, 'plain'), table: 'bench' }),
  'disk, rotating, within redelivery window': () =>
    createPgliteStore({ dataDir: join(root, 'rotating'), table: 'bench', retentionMs: 1000, now: () => clock.nowMs }),
  'disk, rotating, past redelivery window': () =>
    createPgliteStore({
      dataDir: join(root, 'rotating-past'),
      table: 'bench',
      retentionMs: 1000,
      redeliveryMs: 500,
      now: () => clock.nowMs,
    }),
};
const stores = Object.fromEntries(Object.entries(variants).map(([name, make]) => [name, make()]));
const results: Record<string, { eventsPerSecond: number; cpuMsPer1000: number }[]> = {};
try {
  for (const store of Object.values(stores)) await store.init();
  // One rotation up front, so the previous segment is full: the first rotating store checks it on every write (the
  // clock stays at the rotation), the second is past its redelivery window (500 ms) and does not.
  const rotating = [
    stores['disk, rotating, within redelivery window']!,
    stores['disk, rotating, past redelivery window']!,
  ];
  for (const store of rotating) await store.insertBatch(batches()[0]!);
  clock.nowMs = 1000;
  for (const store of rotating) await store.insertBatch(batches()[0]!);
  clock.nowMs = 1999;
  for (let round = 0; round < Number(values.rounds); round++)
    for (const [name, store] of Object.entries(stores)) (results[name] ??= []).push(await measure(store));
} finally {
  for (const store of Object.values(stores)) await store.close();
  await rm(root, { recursive: true, force: true });
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const reference = median(results['memory://']!.map((r) => r.eventsPerSecond));
for (const [name, runs] of Object.entries(results)) {
  const rate = median(runs.map((r) => r.eventsPerSecond));
  console.log(
    `${name.padEnd(48)} ${Math.round(rate).toLocaleString('en')} events/s (median of ${runs.length}), ` +
      `${median(runs.map((r) => r.cpuMsPer1000)).toFixed(1)} CPU ms / 1,000 events, ratio to memory ${(rate / reference).toFixed(2)}`,
  );
}
