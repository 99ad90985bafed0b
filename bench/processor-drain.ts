// Benchmark: the processor path alone. Fills a fresh topic with N events as the gateway writes them, then starts
// processor consumer-group members in this process and times how fast they drain it into the store and cache
// (events/s), with the store's own insert time beside it. For profiling:
//   node --cpu-prof --cpu-prof-dir /tmp/prof --import tsx bench/processor-drain.ts --real
// Usage: npx tsx bench/processor-drain.ts [--real] [--events 100000] [--instances 1] [--max-batch 1000] [--max-wait 20] [--serial-cache]
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createLogger, loadConfig, sleep } from '@logperf/core';
import { createBackends, Processor } from '@logperf/cluster';
import { NodeRuntime } from '@logperf/platform';

const { values } = parseArgs({
  options: {
    real: { type: 'boolean', default: false },
    events: { type: 'string', default: '100000' },
    instances: { type: 'string', default: '1' },
    'max-batch': { type: 'string', default: '1000' },
    'max-wait': { type: 'string', default: '20' },
    /** The cache update before the commit, as before the overlap (for A/B runs). */
    'serial-cache': { type: 'boolean', default: false },
  },
});
const total = Number(values.events);
const suffix = `${Date.now()}_${process.pid}`;
const config = loadConfig({
  ...process.env,
  LOGPERF_BUS: values.real ? 'kafka' : 'memory',
  LOGPERF_STORE: values.real ? 'postgres' : 'pglite',
  LOGPERF_CACHE: values.real ? 'redis' : 'memory',
  LOGPERF_KAFKA_TOPIC: `bench-drain-${suffix}`,
  LOGPERF_STORE_TABLE: `bench_drain_${suffix}`,
});
const backends = await createBackends(config);

const acceptedAt = Date.now();
for (let b = 0; b < total; b += 1000) {
  const records = Array.from({ length: Math.min(1000, total - b) }, (_, i) => {
    const event = {
      id: randomUUID(),
      level: 'INFO',
      message: `bench event ${b + i} ${'x'.repeat(120)}`,
      source: `bench-${i % 8}`,
      timestamp: acceptedAt,
      acceptedAt,
    };
    return { key: event.id, value: Buffer.from(JSON.stringify(event)) };
  });
  await backends.bus.produce(records);
}

// Where a drain's wall time goes: the store and cache calls are timed by wrapping them (the rest is bus fetch,
// decode and offset commits).
const spentMs = { store: 0, cache: 0 };
function timed<T extends object>(target: T, methods: (keyof T)[], into: 'store' | 'cache'): void {
  for (const name of methods) {
    const original = (target[name] as (...args: unknown[]) => Promise<unknown>).bind(target);
    (target as Record<keyof T, unknown>)[name] = async (...args: unknown[]) => {
      const t = performance.now();
      try {
        return await original(...args);
      } finally {
        spentMs[into] += performance.now() - t;
      }
    };
  }
}
timed(backends.store, ['insertBatch'], 'store');
timed(backends.cache, ['record'], 'cache');

const node = new NodeRuntime('bench-processor', 'processor', 'stored');
const processor = new Processor({
  ...backends,
  telemetry: node.telemetry,
  logger: createLogger('bench-processor', 'warn'),
  groupId: `bench-drain-${suffix}`,
  instances: Number(values.instances),
  maxBatchSize: Number(values['max-batch']),
  maxWaitMs: Number(values['max-wait']),
  overlapCache: !values['serial-cache'],
});
const start = performance.now();
await processor.start();
const deadline = Date.now() + 180_000;
while (processor.counters.stored < total && Date.now() < deadline) await sleep(20);
const seconds = (performance.now() - start) / 1000;
await processor.stop();
const latency = node.telemetry.latency();
const store = latency.store?.summary;
const queue = latency.queue?.summary;
await backends.store.sql().query(`DROP TABLE ${config.storeTable}`);
await backends.close();
node.stop();
console.log(
  JSON.stringify({
    bench: 'processor-drain',
    mode: values.real ? 'kafka + postgres + redis' : 'memory + pglite + memory',
    events: total,
    stored: processor.counters.stored,
    instances: Number(values.instances),
    maxBatch: Number(values['max-batch']),
    maxWaitMs: Number(values['max-wait']),
    cache: values['serial-cache'] ? 'serial (before commit)' : 'overlapped with the next batch',
    seconds: Number(seconds.toFixed(2)),
    eventsPerSecond: Math.round(processor.counters.stored / seconds),
    spentSeconds: {
      store: Number((spentMs.store / 1000).toFixed(2)),
      cache: Number((spentMs.cache / 1000).toFixed(2)),
    },
    storeMs: store ? { count: store.count, p50: store.p50, p99: store.p99, meanMs: store.meanMs } : null,
    queueMsP99: queue?.p99 ?? null,
  }),
);
