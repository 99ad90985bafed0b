// Benchmark: our Kafka bus producer (acks=all, idempotent, one request in flight via the send queue) against Kafka's
// own `kafka-producer-perf-test` (org.apache.kafka.tools.ProducerPerformance from the cached jars, acks=all), same topic,
// record size and count, in one run.
// Usage: npx tsx bench/kafka-produce.ts [--records 200000] [--record-size 250] [--batch 100] [--concurrency 16]
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { LatencyHistogram, loadConfig } from '@logperf/core';
import { createBus, type BusRecord } from '@logperf/cluster';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '200000' },
    'record-size': { type: 'string', default: '250' },
    batch: { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '16' },
    brokers: { type: 'string', default: '127.0.0.1:9092' },
  },
});
const records = Number(values.records);
const recordSize = Number(values['record-size']);
const batch = Number(values.batch);
const concurrency = Number(values.concurrency);
const run = promisify(execFile);

/** The broker's jars, where scripts/kafka.sh put them (.cache/kafka/libs-<version>). */
function kafkaClasspath(): string {
  const home = join(process.cwd(), '.cache/kafka');
  const libs = existsSync(home) ? readdirSync(home).find((d) => d.startsWith('libs-')) : undefined;
  if (!libs) throw new Error(`no Kafka jars under ${home}: run bash scripts/kafka.sh up`);
  return `${join(home, libs)}/*`;
}

async function ours(topic: string) {
  const bus = await createBus(
    loadConfig({
      ...process.env,
      LOGPERF_BUS: 'kafka',
      LOGPERF_KAFKA_TOPIC: topic,
      LOGPERF_KAFKA_BROKERS: values.brokers,
    }),
  );
  const value = Buffer.alloc(recordSize, 'x');
  const batches: BusRecord[][] = Array.from({ length: Math.ceil(records / batch) }, (_, b) =>
    Array.from({ length: Math.min(batch, records - b * batch) }, () => ({ key: randomUUID(), value })),
  );
  await bus.produce([{ key: randomUUID(), value }]); // metadata and connections warm
  const latency = LatencyHistogram.create();
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < batches.length) {
        const mine = batches[next++]!;
        const sentAt = performance.now();
        await bus.produce(mine);
        latency.recordMs(performance.now() - sentAt);
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  await bus.close();
  const s = latency.summary();
  return {
    recordsPerSecond: Math.round(records / seconds),
    seconds: Number(seconds.toFixed(2)),
    produceCallMs: { p50: s.p50, p95: s.p95, p99: s.p99 },
  };
}

async function reference(topic: string) {
  const { stdout } = await run(
    'java',
    [
      '-Xmx512m',
      '-cp',
      kafkaClasspath(),
      'org.apache.kafka.tools.ProducerPerformance',
      '--topic',
      topic,
      '--num-records',
      String(records),
      '--record-size',
      String(recordSize),
      '--throughput',
      '-1',
      '--producer-props',
      `bootstrap.servers=${values.brokers}`,
      'acks=all',
    ],
    { timeout: 300_000, maxBuffer: 16 << 20 },
  );
  const last = stdout.trim().split('\n').at(-1) ?? '';
  const m = /([\d.]+) records\/sec.*?([\d.]+) ms avg latency.*?(\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th/.exec(last);
  if (!m) throw new Error(`unexpected ProducerPerformance output: ${last}`);
  return {
    recordsPerSecond: Math.round(Number(m[1])),
    avgLatencyMs: Number(m[2]),
    latencyMs: { p50: Number(m[3]), p95: Number(m[4]), p99: Number(m[5]) },
    summary: last,
  };
}

const topic = `bench-produce-${Date.now()}-${process.pid}`;
const mine = await ours(topic);
const theirs = await reference(topic);
await run(
  'java',
  [
    '-cp',
    kafkaClasspath(),
    'org.apache.kafka.tools.TopicCommand',
    '--bootstrap-server',
    values.brokers,
    '--delete',
    '--topic',
    topic,
  ],
  { timeout: 60_000 },
).catch(() => undefined);
const ratio = mine.recordsPerSecond / theirs.recordsPerSecond;
console.log(
  JSON.stringify(
    {
      bench: 'kafka-produce',
      topic,
      records,
      recordSize,
      acks: 'all',
      batch,
      concurrency,
      ours: { name: 'Kafka bus producer (@platformatic/kafka, idempotent, send queue)', ...mine },
      reference: { name: 'ProducerPerformance (kafka-producer-perf-test), acks=all, defaults otherwise', ...theirs },
      ratio: Number(ratio.toFixed(3)),
    },
    null,
    2,
  ),
);
console.log(
  `| ${new Date().toISOString().slice(0, 10)} | \`npx tsx bench/kafka-produce.ts --records ${records} --record-size ${recordSize} --batch ${batch} --concurrency ${concurrency}\` | ${mine.recordsPerSecond} | ${theirs.recordsPerSecond} | ${ratio.toFixed(3)} |`,
);
